//! The scenarios (numbered as in /work/shared/BENCH.md), their shared settings, and the
//! helpers they share: temporary directories, a fresh one-partition log, and a producer whose
//! batches close only when told to.

pub mod append;
pub mod codec;
pub mod durability;
pub mod fsync_ceiling;
pub mod latency;
pub mod latency_mpsc;
pub mod latency_mqlite;
pub mod latency_pair;
pub mod producer;
pub mod read;
pub mod read_ceiling;

use mqlite::{
    Durability, FileStorage, Log, LogOptions, Producer, ProducerConfig, SendHandle, TopicConfig,
};
use std::path::PathBuf;
use tempfile::TempDir;

/// Settings from the command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// Records per run; `None` takes each scenario's default.
    pub records: Option<u64>,
    /// Append and producer: only this batch size instead of 1, 16, 256 and 4096; durability:
    /// only this fsync interval instead of 1, 10, 100 and 1000 records.
    pub batch: Option<usize>,
    /// Latency: only this producer `linger_ms` instead of 0 and 5.
    pub linger_ms: Option<i64>,
    /// Measured runs after the warm-up.
    pub runs: usize,
    /// Where temporary logs go.
    pub dir: PathBuf,
    /// Where result files go.
    pub out: PathBuf,
}

/// The topic every scenario writes (one partition, default config: 1 GiB segments).
pub const TOPIC: &str = "bench";

/// A new empty directory under the configured one, removed when dropped.
pub fn temp_dir(config: &Config) -> TempDir {
    std::fs::create_dir_all(&config.dir).unwrap();
    tempfile::Builder::new()
        .prefix("mqlite-bench-")
        .tempdir_in(&config.dir)
        .unwrap()
}

/// A new log in `dir` with the one-partition topic [`TOPIC`].
pub fn new_log(dir: &TempDir) -> Log<FileStorage> {
    let mut log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    log.create_topic(TOPIC, TopicConfig::default()).unwrap();
    log
}

/// `batch_bytes` of [`producer`]: more than any batch a scenario sends (4096 x 100 B or
/// 1000 x 1 KiB), so a batch closes only at the end of a `send_many` call or on `flush`.
pub const PRODUCER_BATCH_BYTES: usize = 4 * 1024 * 1024;

/// A producer at `durability` with the default partitioner (sticky for keyless records, so
/// partition 0 of the one-partition topic) whose batches close only on `send_many`'s return
/// or `flush`: `batch_bytes` is [`PRODUCER_BATCH_BYTES`] and no one calls `poll`, so
/// `linger_ms` never applies.
pub fn producer(durability: Durability) -> Producer {
    Producer::new(ProducerConfig {
        batch_bytes: PRODUCER_BATCH_BYTES,
        linger_ms: i64::MAX,
        durability,
        ..ProducerConfig::default()
    })
}

/// Takes every handle's result, which must be a success (a result not taken stays in the
/// producer).
pub fn take_results(producer: &mut Producer, handles: impl IntoIterator<Item = SendHandle>) {
    for handle in handles {
        producer.result(handle).unwrap().unwrap();
    }
}

/// Batch 1 costs a syscall per record in every system, so by default it runs on a tenth of
/// the records and a scenario stays within two minutes.
const BATCH_ONE_DIVISOR: u64 = 10;

/// Records per run at `batch` (whole batches), and the note to print when batch 1 was scaled
/// down from `requested`.
pub fn records_for_batch(config: &Config, requested: u64, batch: usize) -> (u64, Option<String>) {
    let scaled = batch == 1 && config.records.is_none();
    let wanted = if scaled {
        requested / BATCH_ONE_DIVISOR
    } else {
        requested
    };
    let records = whole_batches(wanted, batch);
    let note = scaled.then(|| {
        format!(
            "batch 1 ran on {records} records (a tenth of {requested}) to stay within two minutes"
        )
    });
    (records, note)
}

/// Rounds `records` down to a whole number of `batch`es (at least one batch).
pub fn whole_batches(records: u64, batch: usize) -> u64 {
    (records / batch as u64).max(1) * batch as u64
}
