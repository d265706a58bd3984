//! Small fixed-size metadata files (`mqlite.meta`, `topics/<name>.topic`): written once and
//! synced, with a CRC-32 of the body in their last four bytes.
//!
//! Reading tells a create that never finished from damage: a file shorter than its size, or
//! all zeros (a size that reached the disk before its data), was never acknowledged and reads
//! as absent; a full-size file that fails its CRC is `CorruptLog`.

use crate::error::{Error, Result};
use alloc::vec::Vec;

/// Appends the CRC-32 of `body` to it: the file's bytes.
pub fn seal(mut body: Vec<u8>) -> Vec<u8> {
    let crc = crc32fast::hash(&body);
    body.extend_from_slice(&crc.to_be_bytes());
    body
}

/// The body of a file of `size` bytes (CRC included) named `file`: `Ok(None)` when torn.
pub fn checked_body<'a>(bytes: &'a [u8], size: usize, file: &str) -> Result<Option<&'a [u8]>> {
    if bytes.len() < size || bytes.iter().all(|&b| b == 0) {
        return Ok(None);
    }
    let (body, crc) = bytes.split_at(size - 4);
    if bytes.len() != size || crc != crc32fast::hash(body).to_be_bytes() {
        return Err(Error::corrupt(file, 0, "metadata file fails its CRC"));
    }
    Ok(Some(body))
}
