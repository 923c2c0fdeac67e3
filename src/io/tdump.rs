//! placeholder, being written
use crate::{error::Result, tracks::Tracks};
use std::path::Path;
/// Write.
pub fn write(_t: &Tracks, _w: &mut dyn std::io::Write) -> std::io::Result<()> { todo!() }
/// Read.
pub fn read_file(_p: &Path, _v: Option<&str>) -> Result<Tracks> { todo!() }
