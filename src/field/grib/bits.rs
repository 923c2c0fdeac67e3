//! The number encodings of GRIB: big-endian unsigned integers, sign-and-magnitude signed
//! integers, IBM and IEEE single-precision floats, and packed unsigned values of any width.

/// Big-endian unsigned integer of `b` (at most 8 bytes).
pub(super) fn unsigned(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
}

/// Sign-and-magnitude integer of `b`: the first bit is the sign, the rest the magnitude (how
/// GRIB writes every signed integer).
pub(super) fn signed(b: &[u8]) -> i64 {
    let raw = unsigned(b);
    let sign_bit = 1u64 << (8 * b.len() - 1);
    let magnitude = (raw & !sign_bit) as i64;
    if raw & sign_bit != 0 { -magnitude } else { magnitude }
}

/// IBM System/360 single-precision float (GRIB edition 1 reference values): sign, 7-bit
/// base-16 exponent biased by 64, 24-bit fraction. Every such number is exact in `f64`.
pub(super) fn ibm_f32(b: &[u8]) -> f64 {
    let raw = unsigned(&b[..4]) as u32;
    let sign = if raw & 0x8000_0000 != 0 { -1.0 } else { 1.0 };
    let exponent = ((raw >> 24) & 0x7f) as i32 - 64;
    let fraction = f64::from(raw & 0x00ff_ffff);
    if fraction == 0.0 {
        return 0.0;
    }
    sign * fraction * 2f64.powi(4 * exponent - 24)
}

/// IEEE single-precision float, big-endian (GRIB edition 2 reference values).
pub(super) fn ieee_f32(b: &[u8]) -> f64 {
    f64::from(f32::from_bits(unsigned(&b[..4]) as u32))
}

/// `10^n` as ecCodes computes it (`codes_power`): by repeated multiplication, or repeated
/// division for negative `n`, so that decoded values equal ecCodes' to the last bit.
pub(super) fn power(n: i64, base: f64) -> f64 {
    let mut x = 1.0;
    if n >= 0 {
        (0..n).for_each(|_| x *= base);
    } else {
        (0..-n).for_each(|_| x /= base);
    }
    x
}

/// The first `count` unsigned values of `bits` bits each, packed big-endian from the first
/// bit of `data`, handed to `each` in order. The caller checks `data` holds them.
pub(super) fn for_each_packed(data: &[u8], bits: u32, count: usize, mut each: impl FnMut(u64)) {
    match bits {
        8 => data[..count].iter().for_each(|&b| each(u64::from(b))),
        16 => data[..2 * count].chunks_exact(2).for_each(|c| each(u64::from(u16::from_be_bytes([c[0], c[1]])))),
        24 => data[..3 * count].chunks_exact(3).for_each(|c| each(u64::from(c[0]) << 16 | u64::from(c[1]) << 8 | u64::from(c[2]))),
        32 => data[..4 * count].chunks_exact(4).for_each(|c| each(u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))),
        _ => {
            // a 64-bit window refilled a byte at a time; at most 57 bits are waiting
            let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
            let (mut window, mut held, mut next) = (0u128, 0u32, 0usize);
            for _ in 0..count {
                while held < bits {
                    window = (window << 8) | u128::from(data[next]);
                    next += 1;
                    held += 8;
                }
                held -= bits;
                each(((window >> held) as u64) & mask);
                window &= (1u128 << held) - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_magnitude() {
        assert_eq!(signed(&[0x80, 0x00, 0x05]), -5);
        assert_eq!(signed(&[0x00, 0x00, 0x05]), 5);
        assert_eq!(signed(&[0x81, 0x5f, 0x90]), -90_000);
    }

    #[test]
    fn ibm_floats() {
        // 0x42640000 is 100.0 and 0xC276A000 is -118.625 (the IBM manual's examples)
        assert_eq!(ibm_f32(&[0x42, 0x64, 0x00, 0x00]), 100.0);
        assert_eq!(ibm_f32(&[0xc2, 0x76, 0xa0, 0x00]), -118.625);
        assert_eq!(ibm_f32(&[0x00, 0x00, 0x00, 0x00]), 0.0);
    }

    #[test]
    fn packed_values_of_every_width() {
        for bits in 1..=32u32 {
            let values: Vec<u64> = (0..37u64).map(|k| (k * 2_654_435_761) & ((1u64 << bits) - 1)).collect();
            let mut data = vec![0u8; (values.len() * bits as usize).div_ceil(8)];
            for (k, &v) in values.iter().enumerate() {
                for b in 0..bits as usize {
                    if v >> (bits as usize - 1 - b) & 1 == 1 {
                        let at = k * bits as usize + b;
                        data[at / 8] |= 0x80 >> (at % 8);
                    }
                }
            }
            let mut out = Vec::new();
            for_each_packed(&data, bits, values.len(), |v| out.push(v));
            assert_eq!(out, values, "{bits} bits");
        }
    }

    #[test]
    fn powers_as_eccodes() {
        assert_eq!(power(0, 10.0), 1.0);
        assert_eq!(power(2, 10.0), 100.0);
        assert_eq!(power(-2, 10.0), 1.0 / 10.0 / 10.0);
        assert_eq!(power(-3, 2.0), 0.125);
    }
}
