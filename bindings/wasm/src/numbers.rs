//! JS numbers checked before they become the core's integers: a fraction, NaN, an infinity
//! or a value out of range is `InvalidConfig`, never a wrapped or saturated value.

use mqlite::{Error, Result};

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const SAFE_INTEGER_MAX: f64 = 9_007_199_254_740_991.0;

fn out_of_range(name: &'static str, reason: String) -> Error {
    Error::InvalidConfig { name, reason }
}

/// `value` as a whole number from 0 to `Number.MAX_SAFE_INTEGER`.
pub fn whole(name: &'static str, value: f64) -> Result<u64> {
    if value.is_finite() && value.fract() == 0.0 && (0.0..=SAFE_INTEGER_MAX).contains(&value) {
        Ok(value as u64)
    } else {
        Err(out_of_range(
            name,
            format!("must be a whole number from 0 to 2^53 - 1, not {value}"),
        ))
    }
}

/// `value` as an `i64` setting (milliseconds).
pub fn millis(name: &'static str, value: f64) -> Result<i64> {
    whole(name, value).map(|v| v as i64)
}

/// `value` as a `u32` (partitions, counts).
pub fn small(name: &'static str, value: f64) -> Result<u32> {
    let v = whole(name, value)?;
    u32::try_from(v).map_err(|_| out_of_range(name, format!("must be below 2^32, not {v}")))
}

/// `value` as a `usize` setting (bytes).
pub fn size(name: &'static str, value: f64) -> Result<usize> {
    let v = whole(name, value)?;
    usize::try_from(v).map_err(|_| out_of_range(name, format!("{v} is too large here")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_safe_numbers_pass() {
        assert_eq!(whole("n", 5.0).ok(), Some(5));
        assert_eq!(
            whole("n", SAFE_INTEGER_MAX).ok(),
            Some(9_007_199_254_740_991)
        );
        for bad in [-1.0, 0.5, f64::NAN, f64::INFINITY, 1e300] {
            assert!(whole("n", bad).is_err(), "{bad}");
        }
        assert!(small("n", 4_294_967_296.0).is_err());
        assert_eq!(small("n", 7.0).ok(), Some(7));
    }
}
