//! Power cuts at every write and sync point of a workload, through the fault-injecting
//! backend. After each cut, several possible disk images are reopened and checked:
//! every batch acknowledged by a successful sync is there with its offsets; what follows is
//! whole batches that were sent, in order, densely numbered (never half a batch, never a
//! corrupt record); and the log takes new appends and reopens again.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

mod common;

use common::{options_at, record, same_content};
use mqlite::storage::FaultStorage;
use mqlite::{Compression, Log, Record, TimestampType, TopicConfig};

const TOPICS: [(&str, Compression, TimestampType); 2] = [
    ("plain", Compression::None, TimestampType::CreateTime),
    ("packed", Compression::Lz4, TimestampType::LogAppendTime),
];
const PARTITIONS: u32 = 2;
const STEPS: u64 = 60;
const SEEDS_PER_CUT: u64 = 6;

/// What the workload did before the power went out.
#[derive(Default)]
struct Acknowledged {
    created: Vec<&'static str>,
    /// Per (topic, partition): batches whose append returned Ok, in order.
    appended: Vec<Vec<Vec<Record>>>,
    /// The batch whose append met the cut, which may or may not have reached the disk.
    in_flight: Vec<Option<Vec<Record>>>,
    /// Per (topic, partition): how many of `appended` a successful sync covered.
    synced_batches: Vec<usize>,
}

fn slot(topic: usize, partition: u32) -> usize {
    topic * PARTITIONS as usize + partition as usize
}

fn config(compression: Compression, timestamp_type: TimestampType) -> TopicConfig {
    TopicConfig {
        partitions: PARTITIONS,
        segment_bytes: 1024,
        index_interval_bytes: 128,
        compression,
        timestamp_type,
        ..TopicConfig::default()
    }
}

/// Runs the workload until the storage fails; returns what was acknowledged.
fn run_workload(log: &mut Log<FaultStorage>) -> Acknowledged {
    let slots = TOPICS.len() * PARTITIONS as usize;
    let mut ack = Acknowledged {
        appended: vec![Vec::new(); slots],
        in_flight: vec![None; slots],
        synced_batches: vec![0; slots],
        ..Acknowledged::default()
    };
    for (name, compression, timestamp_type) in TOPICS {
        if log
            .create_topic(name, config(compression, timestamp_type))
            .is_err()
        {
            return ack;
        }
        ack.created.push(name);
    }
    for step in 0..STEPS {
        let topic = (step % 2) as usize;
        let partition = ((step / 2) % u64::from(PARTITIONS)) as u32;
        let batch: Vec<Record> = (0..step % 4 + 1)
            .map(|i| record(step * 10 + i, 1_000 + step as i64))
            .collect();
        match log.append(TOPICS[topic].0, partition, &batch) {
            Ok(_) => ack.appended[slot(topic, partition)].push(batch),
            Err(_) => {
                ack.in_flight[slot(topic, partition)] = Some(batch);
                return ack;
            }
        }
        if step % 9 == 8 {
            if log.sync().is_err() {
                return ack;
            }
            for (synced, appended) in ack.synced_batches.iter_mut().zip(&ack.appended) {
                *synced = appended.len();
            }
        }
    }
    ack
}

fn check_image(image: mqlite::MemoryStorage, ack: &Acknowledged, context: &str) {
    let (options, _) = options_at(1_000_000);
    let mut log = Log::open(image, options.clone())
        .unwrap_or_else(|e| panic!("{context}: reopen failed: {e}"));
    for name in &ack.created {
        assert!(
            log.topics().contains(&name.to_string()),
            "{context}: created topic {name} lost"
        );
    }
    for (topic, (name, _, timestamp_type)) in TOPICS.iter().enumerate() {
        if !log.topics().contains(&name.to_string()) {
            continue;
        }
        for partition in 0..PARTITIONS {
            let s = slot(topic, partition);
            let got = log
                .read(name, partition, 0, usize::MAX)
                .unwrap_or_else(|e| panic!("{context}: read: {e}"));
            let candidates: Vec<&Vec<Record>> = ack.appended[s]
                .iter()
                .chain(ack.in_flight[s].as_ref())
                .collect();
            // `got` must be exactly the first k candidate batches, for some k >= synced.
            let mut offset = 0usize;
            let mut whole_batches = 0usize;
            for batch in &candidates {
                if offset + batch.len() > got.len() {
                    break;
                }
                for (i, sent) in batch.iter().enumerate() {
                    let stored = &got[offset + i];
                    assert_eq!(
                        stored.offset,
                        (offset + i) as i64,
                        "{context}: offsets not dense"
                    );
                    assert!(
                        same_content(stored, sent),
                        "{context}: {name}-{partition} offset {} differs",
                        offset + i
                    );
                    if *timestamp_type == TimestampType::CreateTime {
                        assert_eq!(stored.timestamp_ms, sent.timestamp_ms, "{context}");
                    }
                }
                offset += batch.len();
                whole_batches += 1;
            }
            assert_eq!(
                offset,
                got.len(),
                "{context}: {name}-{partition} holds part of a batch or records never sent"
            );
            assert!(
                whole_batches >= ack.synced_batches[s],
                "{context}: {name}-{partition} lost synced batches ({whole_batches} < {})",
                ack.synced_batches[s]
            );
        }
    }
    // The recovered log takes new writes and survives another reopen.
    if let Some(name) = log.topics().first().cloned() {
        let before = log.high_watermark(&name, 0).unwrap();
        let info = log.append(&name, 0, &[record(999, 2_000_000)]).unwrap();
        assert_eq!(
            info.base_offset, before,
            "{context}: the next offset is not dense"
        );
        let storage = log.close().unwrap();
        let log = Log::open(storage, options).unwrap();
        assert_eq!(
            log.high_watermark(&name, 0).unwrap(),
            before + 1,
            "{context}"
        );
    }
}

#[test]
fn every_power_cut_point_recovers_every_synced_batch_and_nothing_torn() {
    let mut cut_points = 0;
    for ops in 0.. {
        let mut storage = FaultStorage::new();
        storage.cut_power_after(ops);
        let (options, clock) = options_at(1_000);
        let mut log = match Log::open(storage, options) {
            Ok(log) => log,
            Err(_) => continue, // the cut came while creating the log itself
        };
        clock.advance_ms(1);
        let ack = run_workload(&mut log);
        let storage = log.into_storage();
        if !storage.is_power_out() {
            assert!(
                cut_points > 50,
                "the workload should have many cut points, saw {cut_points}"
            );
            return;
        }
        cut_points += 1;
        for seed in 0..SEEDS_PER_CUT {
            check_image(
                storage.crash_image(seed),
                &ack,
                &format!("cut after {ops} ops, seed {seed}"),
            );
        }
    }
}

#[test]
fn a_log_whose_creation_was_cut_short_starts_fresh() {
    let (options, _) = options_at(0);
    let whole = Log::in_memory(options.clone()).unwrap().into_storage();
    let meta = whole.files()[mqlite::log::META_FILE_NAME].clone();
    for len in 0..meta.len() {
        let mut torn = mqlite::MemoryStorage::new();
        torn.files_mut()
            .insert(mqlite::log::META_FILE_NAME.into(), meta[..len].to_vec());
        let mut log =
            Log::open(torn, options.clone()).unwrap_or_else(|e| panic!("meta torn at {len}: {e}"));
        log.create_topic("t", TopicConfig::default()).unwrap();
        assert_eq!(log.storage().files()[mqlite::log::META_FILE_NAME], meta);
    }
    // A torn meta beside other files is no half-made log: refuse it.
    let mut odd = mqlite::MemoryStorage::new();
    odd.files_mut()
        .insert(mqlite::log::META_FILE_NAME.into(), meta[..5].to_vec());
    odd.files_mut().insert("topics/t.topic".into(), vec![0; 51]);
    assert_eq!(
        Log::open(odd, options).unwrap_err().code(),
        mqlite::ErrorCode::NotALog
    );
}
