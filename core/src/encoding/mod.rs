//! Pure encoding and decoding: bytes in, values out, no IO.
//!
//! Everything here works on slices so it can be tested and fuzzed alone. Decoders never panic
//! and never trust a length they read: every length is checked against the bytes that remain
//! and against the limits in [`crate::limits`].

pub mod batch;
pub mod cursor;
pub mod lz4_frame;
pub mod record;
pub mod varint;
