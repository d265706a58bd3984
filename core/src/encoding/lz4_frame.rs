//! The LZ4 frame format (Kafka's `lz4` codec), written around `lz4_flex::block` so it works
//! without `std`.
//!
//! Writer: magic `0x184D2204` (LE), FLG `0x60` (version 01, independent blocks, no block or
//! content checksum, no content size, no dictionary), BD `0x40` (64 KiB blocks), HC (the second
//! byte of xxHash32 over FLG and BD), then blocks, each a u32 LE size (high bit set = stored
//! uncompressed) and its data, then a zero end mark. Our batch CRC already covers the bytes, so
//! the frame adds no checksums of its own.
//!
//! Reader: any valid frame, including linked blocks, block checksums, content size and content
//! checksum (librdkafka writes linked blocks); a dictionary id or skippable frame is rejected.

use super::cursor::{Cursor, DecodeError};
use crate::limits::LZ4_BLOCK_BYTES_MAX;
use alloc::vec::Vec;
use twox_hash::XxHash32;

const MAGIC: u32 = 0x184D_2204;
const FLG_VERSION_01: u8 = 0b0100_0000;
const FLG_BLOCK_INDEPENDENT: u8 = 0b0010_0000;
const FLG_BLOCK_CHECKSUM: u8 = 0b0001_0000;
const FLG_CONTENT_SIZE: u8 = 0b0000_1000;
const FLG_CONTENT_CHECKSUM: u8 = 0b0000_0100;
const FLG_DICT_ID: u8 = 0b0000_0001;
const BD_64_KIB: u8 = 4 << 4;
const UNCOMPRESSED_BIT: u32 = 0x8000_0000;
/// A linked block may refer back this far into earlier output.
const WINDOW_BYTES: usize = 64 * 1024;

const _: () = assert!(
    LZ4_BLOCK_BYTES_MAX == 64 * 1024,
    "BD_64_KIB encodes the block size"
);

fn header_checksum(descriptor: &[u8]) -> u8 {
    (XxHash32::oneshot(0, descriptor) >> 8) as u8
}

/// Appends `input` to `out` as one LZ4 frame.
pub fn compress(input: &[u8], out: &mut Vec<u8>) {
    let flg = FLG_VERSION_01 | FLG_BLOCK_INDEPENDENT;
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.push(flg);
    out.push(BD_64_KIB);
    out.push(header_checksum(&[flg, BD_64_KIB]));
    let mut scratch = Vec::new();
    for block in input.chunks(LZ4_BLOCK_BYTES_MAX) {
        scratch.clear();
        scratch.resize(lz4_flex::block::get_maximum_output_size(block.len()), 0);
        match lz4_flex::block::compress_into(block, &mut scratch) {
            Ok(written) if written < block.len() => {
                out.extend_from_slice(&(written as u32).to_le_bytes());
                out.extend_from_slice(scratch.get(..written).unwrap_or_default());
            }
            // Incompressible (or the compressor refused): store the block as it is.
            _ => {
                out.extend_from_slice(&(block.len() as u32 | UNCOMPRESSED_BIT).to_le_bytes());
                out.extend_from_slice(block);
            }
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
}

/// Decodes one LZ4 frame that must fill `input` exactly, refusing output beyond
/// `output_bytes_max`.
pub fn decompress(input: &[u8], output_bytes_max: usize) -> Result<Vec<u8>, DecodeError> {
    let mut cursor = Cursor::new(input);
    if cursor.u32_le()? != MAGIC {
        return Err(DecodeError::Invalid("lz4: bad frame magic"));
    }
    let flg = cursor.u8()?;
    let bd = cursor.u8()?;
    if flg & 0b1100_0000 != FLG_VERSION_01 {
        return Err(DecodeError::Invalid("lz4: unsupported frame version"));
    }
    if flg & 0b0000_0010 != 0 || bd & 0b1000_1111 != 0 {
        return Err(DecodeError::Invalid("lz4: reserved bits are set"));
    }
    if flg & FLG_DICT_ID != 0 {
        return Err(DecodeError::Invalid(
            "lz4: dictionary ids are not supported",
        ));
    }
    let block_bytes_max = match (bd >> 4) & 0x7 {
        4 => 64 * 1024,
        5 => 256 * 1024,
        6 => 1024 * 1024,
        7 => 4 * 1024 * 1024,
        _ => return Err(DecodeError::Invalid("lz4: bad block size")),
    };
    let mut descriptor = Vec::with_capacity(10);
    descriptor.extend_from_slice(&[flg, bd]);
    if flg & FLG_CONTENT_SIZE != 0 {
        descriptor.extend_from_slice(&cursor.u64_le()?.to_le_bytes());
    }
    if cursor.u8()? != header_checksum(&descriptor) {
        return Err(DecodeError::Invalid("lz4: bad header checksum"));
    }
    let linked = flg & FLG_BLOCK_INDEPENDENT == 0;
    let mut out: Vec<u8> = Vec::new();
    loop {
        let word = cursor.u32_le()?;
        if word == 0 {
            break;
        }
        let stored = word & UNCOMPRESSED_BIT != 0;
        let len = (word & !UNCOMPRESSED_BIT) as usize;
        if len > block_bytes_max {
            return Err(DecodeError::Invalid(
                "lz4: block larger than the frame's block size",
            ));
        }
        let data = cursor.take(len)?;
        if flg & FLG_BLOCK_CHECKSUM != 0 && cursor.u32_le()? != XxHash32::oneshot(0, data) {
            return Err(DecodeError::Invalid("lz4: bad block checksum"));
        }
        let start = out.len();
        if stored {
            if start + len > output_bytes_max {
                return Err(DecodeError::Invalid("lz4: output exceeds the batch limit"));
            }
            out.extend_from_slice(data);
        } else {
            // `out.len() <= output_bytes_max` holds here, so the room never goes negative.
            let room = block_bytes_max.min(output_bytes_max - start);
            out.resize(start + room, 0);
            let (history, target) = out.split_at_mut(start);
            let written = if linked {
                let dict = history.get(history.len().saturating_sub(WINDOW_BYTES)..);
                lz4_flex::block::decompress_into_with_dict(data, target, dict.unwrap_or_default())
            } else {
                lz4_flex::block::decompress_into(data, target)
            }
            .map_err(|_| {
                DecodeError::Invalid("lz4: bad compressed block, or output over the limit")
            })?;
            out.truncate(start + written);
        }
        if out.len() > output_bytes_max {
            return Err(DecodeError::Invalid("lz4: output exceeds the batch limit"));
        }
    }
    if flg & FLG_CONTENT_CHECKSUM != 0 && cursor.u32_le()? != XxHash32::oneshot(0, &out) {
        return Err(DecodeError::Invalid("lz4: bad content checksum"));
    }
    if cursor.remaining() != 0 {
        return Err(DecodeError::Invalid("lz4: bytes after the end mark"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn frame_header_is_the_documented_bytes() {
        let mut out = Vec::new();
        compress(b"", &mut out);
        // magic, FLG, BD, HC, end mark: the HC byte is xxh32([0x60, 0x40]) >> 8.
        assert_eq!(
            out.get(..6),
            Some(&[0x04, 0x22, 0x4D, 0x18, 0x60, 0x40][..])
        );
        assert_eq!(out.len(), 11);
        assert_eq!(decompress(&out, 10).unwrap(), b"");
    }

    #[test]
    fn compressible_input_shrinks_and_round_trips_across_blocks() {
        let input: Vec<u8> = (0..300_000u32).map(|i| (i % 7) as u8).collect();
        let mut out = Vec::new();
        compress(&input, &mut out);
        assert!(out.len() < input.len() / 10);
        assert_eq!(decompress(&out, input.len()).unwrap(), input);
        assert!(
            decompress(&out, input.len() - 1).is_err(),
            "output limit must hold"
        );
    }

    #[test]
    fn damaged_header_checksum_is_rejected() {
        let mut out = Vec::new();
        compress(b"hello hello hello", &mut out);
        if let Some(hc) = out.get_mut(6) {
            *hc ^= 1;
        }
        assert_eq!(
            decompress(&out, 100),
            Err(DecodeError::Invalid("lz4: bad header checksum"))
        );
    }

    proptest! {
        #[test]
        fn any_input_round_trips(input in proptest::collection::vec(any::<u8>(), 0..200_000)) {
            let mut out = Vec::new();
            compress(&input, &mut out);
            prop_assert_eq!(decompress(&out, input.len()).unwrap(), input);
        }

        #[test]
        fn garbage_never_panics(input in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decompress(&input, 1 << 20);
        }
    }
}
