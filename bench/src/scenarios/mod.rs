//! The scenarios (numbered as in /work/shared/BENCH.md), their shared settings, and the
//! helpers they share: temporary directories and a fresh one-partition log.

pub mod append;
pub mod codec;
pub mod read;
pub mod read_ceiling;

use mqlite::{FileStorage, Log, LogOptions, TopicConfig};
use std::path::PathBuf;
use tempfile::TempDir;

/// Settings from the command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// Records per run; `None` takes each scenario's default.
    pub records: Option<u64>,
    /// Append: only this batch size instead of 1, 16, 256 and 4096.
    pub batch: Option<usize>,
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

/// Rounds `records` down to a whole number of `batch`es (at least one batch).
pub fn whole_batches(records: u64, batch: usize) -> u64 {
    (records / batch as u64).max(1) * batch as u64
}
