//! Kafka's zigzag varints: `varint` (i32) and `varlong` (i64), least significant group first.

use alloc::vec::Vec;

/// Maps signed to unsigned so small magnitudes stay short: 0, -1, 1, -2 → 0, 1, 2, 3.
pub const fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// The inverse of [`zigzag`].
pub const fn unzigzag(raw: u64) -> i64 {
    ((raw >> 1) as i64) ^ -((raw & 1) as i64)
}

/// Appends `value` as a zigzag varint.
pub fn put_varlong(out: &mut Vec<u8>, value: i64) {
    let mut raw = zigzag(value);
    while raw >= 0x80 {
        out.push((raw as u8) | 0x80);
        raw >>= 7;
    }
    out.push(raw as u8);
}

/// How many bytes [`put_varlong`] writes for `value`.
pub const fn varlong_len(value: i64) -> usize {
    let raw = zigzag(value);
    let bits = 64 - (raw | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::cursor::Cursor;
    use proptest::prelude::*;

    #[test]
    fn known_encodings_match_kafka() {
        // Values from Kafka's ByteUtils tests: zigzag(−1)=1, zigzag(1)=2, 300 → [0xD8, 0x04].
        let mut out = Vec::new();
        put_varlong(&mut out, -1);
        put_varlong(&mut out, 1);
        put_varlong(&mut out, 300);
        assert_eq!(out, [0x01, 0x02, 0xD8, 0x04]);
        assert_eq!(varlong_len(300), 2);
        assert_eq!(varlong_len(0), 1);
        assert_eq!(varlong_len(i64::MIN), 10);
    }

    #[test]
    fn varints_are_capped_at_five_bytes_and_varlongs_at_ten() {
        let six_bytes = [0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        assert!(Cursor::new(&six_bytes).varint().is_err());
        assert_eq!(Cursor::new(&six_bytes).varlong(), Ok(0));
        let eleven_bytes = [0x80; 11];
        assert!(Cursor::new(&eleven_bytes).varlong().is_err());
    }

    proptest! {
        #[test]
        fn varlong_round_trips(value: i64) {
            let mut out = Vec::new();
            put_varlong(&mut out, value);
            prop_assert_eq!(out.len(), varlong_len(value));
            let mut cursor = Cursor::new(&out);
            prop_assert_eq!(cursor.varlong().unwrap(), value);
            prop_assert_eq!(cursor.remaining(), 0);
        }
    }
}
