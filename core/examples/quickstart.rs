//! The quick-start demo: create a topic in a directory, produce keyed records across its
//! partitions, close, reopen (recovery runs), and read everything back by offset and by
//! timestamp.
//!
//! Run: `cargo run -p mqlite --example quickstart [DIR]` (default `target/demo-log`).

use mqlite::partitioner::murmur2_partition;
use mqlite::{Compression, Log, LogOptions, Record, Result, TopicConfig};

const PARTITIONS: u32 = 3;

/// The partition Kafka's Java client would pick for this key.
fn partition_for(key: &str) -> u32 {
    murmur2_partition(key.as_bytes(), PARTITIONS)
}

fn main() -> Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/demo-log".into());
    let _ = std::fs::remove_dir_all(&dir);
    let start_ms = 1_700_000_000_000;

    let mut log = Log::open_dir(&dir, LogOptions::default())?;
    let config = TopicConfig {
        compression: Compression::Lz4,
        ..TopicConfig::with_partitions(PARTITIONS)
    };
    log.create_topic("orders", config)?;
    println!("created topic 'orders' with {PARTITIONS} partitions (lz4) in {dir}");

    for i in 0..30i64 {
        let key = format!("customer-{}", i % 5);
        let value = format!("{{\"order\":{i},\"total\":{}}}", 10 + i * 3);
        let record = Record::with_value(value)
            .key(key.clone())
            .timestamp_ms(start_ms + i * 1_000);
        let info = log.append("orders", partition_for(&key), &[record])?;
        if i < 3 {
            println!(
                "appended order {i} for {key} -> partition {} offset {}",
                partition_for(&key),
                info.base_offset
            );
        }
    }
    log.close()?;
    println!("appended 30 records, closed the log");

    let log = Log::open_dir(&dir, LogOptions::default())?;
    println!("reopened; topics: {:?}", log.topics());
    for p in log.describe("orders")?.partitions {
        println!(
            "  partition {}: offsets [{}, {}), {} bytes in {} segment(s)",
            p.partition, p.log_start_offset, p.high_watermark, p.size_bytes, p.segments
        );
    }
    let mut total = 0;
    for partition in 0..PARTITIONS {
        for record in log.read("orders", partition, 0, 1024 * 1024)? {
            total += 1;
            if record.offset < 2 {
                let key =
                    String::from_utf8_lossy(record.key.as_deref().unwrap_or_default()).into_owned();
                let value = String::from_utf8_lossy(record.value.as_deref().unwrap_or_default())
                    .into_owned();
                println!("  read {partition}@{}: {key} => {value}", record.offset);
            }
        }
    }
    println!("read back {total} records after reopen");
    assert_eq!(total, 30, "every record survives the reopen");

    let target = start_ms + 20_000;
    let offset = log.offset_for_timestamp("orders", 0, target)?;
    println!("first offset in partition 0 at or after t+20s: {offset:?}");
    Ok(())
}
