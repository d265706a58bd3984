//! Named limits, with units last, and the relations between them checked at compile time.

/// Largest encoded record (key, value, headers and framing) a batch may hold.
pub const RECORD_BYTES_MAX: usize = 8 * 1024 * 1024;
/// Largest encoded batch, header included, as stored (after compression).
pub const BATCH_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Largest number of records in one batch (Kafka's record count is an int32; ours is bounded
/// lower so a batch's offsets always fit a segment's u32 relative offsets).
pub const BATCH_RECORDS_MAX: usize = 1 << 20;
/// Largest segment file: index positions are u32.
pub const SEGMENT_BYTES_MAX: u64 = i32::MAX as u64;
/// Smallest segment size a topic may configure.
pub const SEGMENT_BYTES_MIN: u64 = 1024;
/// Default segment size (Kafka's `segment.bytes`).
pub const SEGMENT_BYTES_DEFAULT: u64 = 1024 * 1024 * 1024;
/// Default index interval (Kafka's `index.interval.bytes`): one sparse index entry per this
/// many bytes of log.
pub const INDEX_INTERVAL_BYTES_DEFAULT: u32 = 4096;
/// Most partitions one topic may have.
pub const PARTITIONS_MAX: u32 = 10_000;
/// Latest record timestamp a writer takes: 9999-12-31T23:59:59.999Z. Later ones are refused
/// as garbage, and keep all time arithmetic (ages, retention, index entries) far from overflow.
pub const TIMESTAMP_MS_MAX: i64 = 253_402_300_799_999;
/// Longest topic name (Kafka's rule).
pub const TOPIC_NAME_CHARS_MAX: usize = 249;
/// Largest LZ4 block inside a compressed batch's frame (LZ4 frame's 64 KiB block size).
pub const LZ4_BLOCK_BYTES_MAX: usize = 64 * 1024;

const _: () = assert!(RECORD_BYTES_MAX < BATCH_BYTES_MAX);
const _: () = assert!(BATCH_BYTES_MAX as u64 <= SEGMENT_BYTES_MAX);
const _: () = assert!(SEGMENT_BYTES_MIN <= SEGMENT_BYTES_DEFAULT);
const _: () = assert!(SEGMENT_BYTES_DEFAULT <= SEGMENT_BYTES_MAX);
const _: () = assert!(BATCH_RECORDS_MAX <= i32::MAX as usize);
