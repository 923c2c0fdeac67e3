//! Minimal fixed-width two's-complement integers for exact lexicographic assignment costs.
//!
//! All values that meet in one computation share the same limb count, chosen large enough by
//! the caller that no sum overflows.

use std::cmp::Ordering;

/// Signed integer of `limbs.len() * 64` bits, little-endian limbs, two's complement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wide {
    limbs: Vec<u64>,
}

impl Wide {
    /// Zero with the given number of limbs.
    pub fn zero(width: usize) -> Self {
        Wide { limbs: vec![0; width] }
    }

    /// `value * 2^shift` for a non-negative `value`.
    pub fn from_u128_shifted(width: usize, value: u128, shift: usize) -> Self {
        let mut w = Wide::zero(width);
        let (limb, bit) = (shift / 64, shift % 64);
        // Spread the 128-bit value plus its bit offset over up to three limbs.
        let lo = (value as u64) as u128;
        let hi = (value >> 64) as u64 as u128;
        let parts = [lo << bit, hi << bit];
        for (k, part) in parts.iter().enumerate() {
            w.add_at(limb + k, *part as u64);
            w.add_at(limb + k + 1, (*part >> 64) as u64);
        }
        w
    }

    fn add_at(&mut self, mut index: usize, mut value: u64) {
        while value != 0 {
            let (sum, carry) = self.limbs[index].overflowing_add(value);
            self.limbs[index] = sum;
            value = carry as u64;
            index += 1;
        }
    }

    /// Multiplies a non-negative value by a small factor.
    pub fn mul_small(&self, factor: u64) -> Self {
        let mut carry: u128 = 0;
        let limbs = self
            .limbs
            .iter()
            .map(|&l| {
                let p = l as u128 * factor as u128 + carry;
                carry = p >> 64;
                p as u64
            })
            .collect();
        Wide { limbs }
    }

    /// Divides a non-negative value by a small divisor: (quotient, remainder).
    pub fn div_small(&self, divisor: u64) -> (Self, u64) {
        let mut rem: u128 = 0;
        let mut limbs = vec![0; self.limbs.len()];
        for i in (0..self.limbs.len()).rev() {
            let cur = (rem << 64) | self.limbs[i] as u128;
            limbs[i] = (cur / divisor as u128) as u64;
            rem = cur % divisor as u128;
        }
        (Wide { limbs }, rem as u64)
    }

    /// `self + other` (same width).
    pub fn add(&self, other: &Wide) -> Wide {
        let mut carry = false;
        let limbs = self
            .limbs
            .iter()
            .zip(&other.limbs)
            .map(|(&a, &b)| {
                let (s1, c1) = a.overflowing_add(b);
                let (s2, c2) = s1.overflowing_add(carry as u64);
                carry = c1 || c2;
                s2
            })
            .collect();
        Wide { limbs }
    }

    /// `-self`.
    pub fn neg(&self) -> Wide {
        let inverted = Wide { limbs: self.limbs.iter().map(|l| !l).collect() };
        let mut one = Wide::zero(self.limbs.len());
        one.limbs[0] = 1;
        inverted.add(&one)
    }

    /// Same non-negative value with `width` limbs (must not truncate significant bits).
    pub fn resized(&self, width: usize) -> Self {
        let mut limbs = self.limbs.clone();
        limbs.resize(width, 0);
        Wide { limbs }
    }

    /// Number of significant bits of a non-negative value.
    pub fn bit_len(&self) -> usize {
        self.limbs.iter().rposition(|&l| l != 0).map_or(0, |i| i * 64 + 64 - self.limbs[i].leading_zeros() as usize)
    }

    fn is_negative(&self) -> bool {
        self.limbs.last().is_some_and(|l| l >> 63 == 1)
    }
}

impl Ord for Wide {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.is_negative(), other.is_negative()) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            // Same sign: two's complement orders like unsigned magnitudes.
            _ => self.limbs.iter().rev().cmp(other.limbs.iter().rev()),
        }
    }
}

impl PartialOrd for Wide {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_and_order() {
        let a = Wide::from_u128_shifted(4, 3, 100);
        let b = Wide::from_u128_shifted(4, 1, 101);
        assert!(a > b);
        let diff = a.add(&b.neg());
        assert_eq!(diff, Wide::from_u128_shifted(4, 1, 100));
        assert!(b.neg() < Wide::zero(4));
        assert_eq!(a.mul_small(6).div_small(3), (a.mul_small(2), 0));
        assert_eq!(Wide::from_u128_shifted(4, 7, 0).div_small(4).1, 3);
        assert_eq!(Wide::from_u128_shifted(4, u128::MAX, 63).bit_len(), 191);
    }
}
