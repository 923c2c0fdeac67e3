//! Reading byte ranges of a GRIB file from any thread (positioned reads, no shared cursor).

use super::message::{Parsed, Problem};
use std::fs::File;

/// `len` bytes at `offset` of `file`.
pub(super) fn read_exact_at(file: &File, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(file, &mut buf, offset)?;
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < len {
            let n = std::os::windows::fs::FileExt::seek_read(file, &mut buf[done..], offset + done as u64)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            done += n;
        }
    }
    Ok(buf)
}

/// One message of a file: byte ranges relative to its start, checked against its length.
pub(super) struct MessageBytes<'a> {
    pub file: &'a File,
    pub offset: u64,
    pub length: u64,
}

impl MessageBytes<'_> {
    /// `len` bytes at `at` (relative to the message start).
    pub fn read(&self, at: u64, len: u64) -> Parsed<Vec<u8>> {
        if at.checked_add(len).is_none_or(|end| end > self.length) {
            return Err(Problem::Corrupt(format!("a section of {len} bytes at byte {at} runs past the end of the {}-byte message", self.length)));
        }
        read_exact_at(self.file, self.offset + at, len as usize).map_err(|e| Problem::Corrupt(format!("cannot read byte {at}: {e}")))
    }

    /// A section's length, read from its first `width` bytes at `at`, at least `min` bytes.
    pub fn section_length(&self, at: u64, width: u64, min: u64, name: &str) -> Parsed<u64> {
        let len = super::bits::unsigned(&self.read(at, width)?);
        if len < min {
            return Err(Problem::Corrupt(format!("its {name} is {len} bytes long, less than the {min} it must hold")));
        }
        Ok(len)
    }
}
