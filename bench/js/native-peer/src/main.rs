//! The native peer of bench/js/node_append.mjs: mqlite's producer over the in-memory store the
//! wasm module uses (`JournalStorage`), with the same records (the Rust bench's seeded 100 B
//! JSON-like values, no key, timestamps BASE + i) and the same producer settings as the Node
//! rows. It reads one request per line on stdin, `MODE BATCH RECORDS`, runs it once on a
//! fresh log and answers one JSON line on stdout: wall time, this thread's CPU time (from
//! /proc/thread-self/schedstat, ns) and the kernel share (/proc/thread-self/stat, ticks).
//!
//! Modes:
//! - `send_many`: `Producer::send_many` of BATCH records per call, then every handle's result
//!   (what the wasm binding's `sendMany` does);
//! - `send_flush`: `Producer::send` per record, `flush` every BATCH records, then the results;
//! - `send_default`: `Producer::send` per record with the default `batch_bytes` (16 KiB, so a
//!   batch is appended inside `send` when it fills), one `flush` at the end, then the results.
//!
//! The first request of each mode and batch is preceded by an untimed warm-up run.

use mqlite::{
    Durability, JournalStorage, Log, LogOptions, Producer, ProducerConfig, ProducerRecord,
    SendHandle, TopicConfig,
};
use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::time::Instant;

const TOPIC: &str = "bench";

// The Rust bench's seeded values, from its own source file (this crate is outside the
// workspace, so it cannot depend on the bench crate): the same bytes by construction.
#[allow(dead_code, reason = "the peer uses only the pool")]
#[path = "../../../src/payload.rs"]
mod payload;

/// The Rust bench's pool of 100 B JSON-like records, as producer records.
fn pool() -> Vec<ProducerRecord> {
    payload::producer_records(&payload::pool(payload::Kind::JsonLike))
}

fn new_log() -> Log<JournalStorage> {
    let mut log = Log::open(JournalStorage::new(), LogOptions::default()).unwrap();
    log.create_topic(TOPIC, TopicConfig::default()).unwrap();
    log
}

fn producer(batch_bytes: usize) -> Producer {
    // As the Node rows: linger far away (nobody polls anyway), `write` durability (what the
    // wasm binding's producer always runs at; `sync` is a no-op on JournalStorage).
    Producer::new(ProducerConfig {
        batch_bytes,
        linger_ms: 1_000_000,
        durability: Durability::Write,
        ..ProducerConfig::default()
    })
}

fn take(producer: &mut Producer, handles: impl IntoIterator<Item = SendHandle>) {
    for handle in handles {
        producer.result(handle).unwrap().unwrap();
    }
}

/// This thread's on-CPU time in ns (schedstat), and its kernel share in ticks (stat).
fn cpu() -> (u64, u64) {
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let sys = std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            rest.split_whitespace().nth(12)?.parse().ok()
        })
        .unwrap_or(0);
    (ns, sys)
}

fn run(pool: &[ProducerRecord], mode: &str, batch: usize, records: usize) -> String {
    let mut log = new_log();
    let batches = records / batch;
    let mut producer = producer(if mode == "send_default" { 16 * 1024 } else { 4 << 20 });
    let mut handles = Vec::with_capacity(if mode == "send_default" { records } else { batch });
    let (cpu0, sys0) = cpu();
    let started = Instant::now();
    match mode {
        "send_many" => {
            for i in 0..batches {
                let start = (i * batch) % pool.len();
                let sent = &pool[start..start + batch];
                let handles = producer.send_many(&mut log, TOPIC, sent.iter().cloned()).unwrap();
                take(&mut producer, handles);
            }
        }
        "send_flush" => {
            for i in 0..batches {
                let start = (i * batch) % pool.len();
                for record in &pool[start..start + batch] {
                    handles.push(producer.send(&mut log, TOPIC, record.clone()).unwrap());
                }
                producer.flush(&mut log).unwrap();
                take(&mut producer, handles.drain(..));
            }
        }
        "send_default" => {
            for i in 0..batches * batch {
                let record = pool[i % pool.len()].clone();
                handles.push(producer.send(&mut log, TOPIC, record).unwrap());
            }
            producer.flush(&mut log).unwrap();
            take(&mut producer, handles.drain(..));
        }
        other => panic!("unknown mode {other:?}"),
    }
    let wall = started.elapsed().as_secs_f64();
    let (cpu1, sys1) = cpu();
    let count = batches * batch;
    assert_eq!(log.high_watermark(TOPIC, 0).unwrap(), count as i64);
    drop(log);
    format!(
        r#"{{"mode":"{mode}","batch":{batch},"records":{count},"wall_s":{wall},"cpu_s":{},"sys_s":{}}}"#,
        (cpu1 - cpu0) as f64 / 1e9,
        (sys1 - sys0) as f64 / 100.0
    )
}

fn main() {
    let pool = pool();
    let mut warmed = BTreeSet::new();
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, r#"{{"ready":true,"pid":{}}}"#, std::process::id()).unwrap();
    stdout.flush().unwrap();
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [mode, batch, records] = parts[..] else {
            if line.trim() == "quit" {
                break;
            }
            writeln!(stdout, r#"{{"error":"expected MODE BATCH RECORDS"}}"#).unwrap();
            stdout.flush().unwrap();
            continue;
        };
        let batch: usize = batch.parse().unwrap();
        let records: usize = records.parse().unwrap();
        if warmed.insert((mode.to_string(), batch)) {
            run(&pool, mode, batch, records);
        }
        writeln!(stdout, "{}", run(&pool, mode, batch, records)).unwrap();
        stdout.flush().unwrap();
    }
}
