//! Scenario 4, end-to-end latency: a producer thread sends 100 B JSON-like records on a
//! fixed-rate schedule at 20%, 50% and 80% of the maximum rate measured first in the same
//! invocation, and a consumer thread tails the log with `SharedLog::poll_wait`; latency is
//! receive time minus the record's scheduled send time (coordinated omission corrected),
//! recorded in an HdrHistogram. Each load level next to a `std::sync::mpsc` channel carrying
//! the same values between the same two threads on the same schedule (the in-memory floor).
//!
//! Two producer settings, each with its own maximum: linger 0 (every send followed by a poll
//! that appends it: a batch per record) and the default linger 5 ms (batches close when full
//! at 16 KiB, or once lingered). The maximum is the same two-thread pipeline with every
//! record due at once; its latency is never quoted (saturation), nor is a load level's that
//! fell behind its schedule.

use super::{Config, latency_mpsc, latency_mqlite, latency_pair};
use crate::load::Load;
use crate::pacing::{STAMP_BYTES, Schedule};
use crate::payload::{self, Kind, RECORD_BYTES};
use crate::report::{self, Report, Row};
use crate::stats::{self, Run, Sample, Summary};
use bytes::Bytes;

const LINGERS_MS: [i64; 2] = [0, 5];
const LOADS: [f64; 3] = [0.2, 0.5, 0.8];
/// Records per run of the as-fast-as-possible (maximum) rows.
const MAX_RECORDS: u64 = 200_000;
/// Seconds of schedule per run of a load level.
const RUN_SECONDS: f64 = 1.0;
/// A level any of whose runs got its last record more than this many seconds after it was
/// due fell behind its schedule: saturated (the last batch at linger 5 ms waits about 5 ms).
const BEHIND_S: f64 = 0.010;
const MQLITE: &str = "mqlite SharedProducer -> SharedLog::poll_wait";
const MPSC: &str = "std::sync::mpsc (in-memory floor)";
const RATIO: &str = "p50 mqlite/mpsc";

/// Runs the scenario.
pub fn run(config: &Config) -> Report {
    let templates: Vec<Bytes> = payload::pool(Kind::JsonLike)
        .into_iter()
        .map(|record| record.value.unwrap())
        .collect();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let max_records = config.records.unwrap_or(MAX_RECORDS);
    let mut rows = Vec::new();
    let mut saturated = Vec::new();
    let mut others = Vec::new();
    let lingers = config.linger_ms.map_or(LINGERS_MS.to_vec(), |ms| vec![ms]);
    for linger_ms in lingers {
        eprintln!("latency: linger {linger_ms} ms, maximum rate, {max_records} records per run");
        let load = Load::now();
        let max = max_row(config, &templates, max_records, linger_ms);
        others.push(format!(
            "linger {linger_ms} max {:.0}%",
            Load::others_since(load, cores) * 100.0
        ));
        let max_per_s = max.per_s;
        rows.push(max);
        for share in LOADS {
            let per_s = share * max_per_s;
            let records = config
                .records
                .unwrap_or((per_s * RUN_SECONDS) as u64)
                .max(1);
            let level = format!(
                "linger {linger_ms} ms, {:.0}% of max ({}/s)",
                share * 100.0,
                report::si(per_s)
            );
            eprintln!("latency: {level}, {records} records per run");
            let load = Load::now();
            let [mqlite, floor] = level_rows(config, &templates, records, per_s, linger_ms, &level);
            others.push(format!(
                "linger {linger_ms} {:.0}% {:.0}%",
                share * 100.0,
                Load::others_since(load, cores) * 100.0
            ));
            // The slowest run's wall time less the schedule's length: how late its last record
            // arrived.
            let slowest_s = mqlite.runs_wall_s.iter().copied().fold(0.0, f64::max);
            let behind_s = slowest_s - (records - 1) as f64 / per_s;
            let mqlite = if behind_s > BEHIND_S {
                let late = mqlite
                    .runs_wall_s
                    .iter()
                    .filter(|&&wall| wall - (records - 1) as f64 / per_s > BEHIND_S)
                    .count();
                saturated.push(format!(
                    "{level}: {late} of {} runs got their last record more than {:.0} ms late \
                     (the slowest {:.0} ms)",
                    mqlite.runs_wall_s.len(),
                    BEHIND_S * 1e3,
                    behind_s * 1e3
                ));
                unquoted(mqlite)
            } else {
                mqlite.p50_ratio_to(&floor, RATIO)
            };
            rows.extend([mqlite, floor]);
        }
    }
    Report {
        scenario: "latency",
        title: "Scenario 4: end-to-end latency (100 B records, one partition)".into(),
        durability: "write: appended to the file (page cache), no fsync; the mpsc peer keeps \
                     values in memory"
            .into(),
        runs: config.runs,
        rows,
        notes: notes(max_records, &saturated, &others),
    }
}

/// The maximum: the pipeline with every record due at once, latency not kept.
fn max_row(config: &Config, templates: &[Bytes], records: u64, linger_ms: i64) -> Row {
    let mut systems: Vec<Run<'_>> = vec![Box::new(|| Sample {
        // At saturation the latency is a queue's length; never quoted.
        histogram: None,
        ..latency_mqlite::run(config, templates, records, Schedule::Saturate, linger_ms)
    })];
    let samples = stats::interleaved(config.runs, &mut systems);
    Row::new(
        MQLITE,
        &format!("linger {linger_ms} ms, as fast as possible (max)"),
        "records",
        records,
        Some(records * RECORD_BYTES as u64),
        &Summary::of(&samples[0]),
    )
}

/// One load level: mqlite and the channel, interleaved, on the same schedule.
fn level_rows(
    config: &Config,
    templates: &[Bytes],
    records: u64,
    per_s: f64,
    linger_ms: i64,
    level: &str,
) -> [Row; 2] {
    let schedule = Schedule::Rate { per_s };
    let mut systems: Vec<Run<'_>> = vec![
        Box::new(|| latency_mqlite::run(config, templates, records, schedule, linger_ms)),
        Box::new(|| latency_mpsc::run(templates, records, schedule)),
    ];
    let samples = stats::interleaved(config.runs, &mut systems);
    let row = |system: &str, samples: &[Sample]| {
        Row::new(
            system,
            level,
            "records",
            records,
            Some(records * RECORD_BYTES as u64),
            &Summary::of(samples),
        )
    };
    [row(MQLITE, &samples[0]), row(MPSC, &samples[1])]
}

/// `row` without its latencies: it fell behind its schedule, so they are a queue's length.
fn unquoted(row: Row) -> Row {
    Row {
        scenario: format!("{} SATURATED, fell behind", row.scenario),
        p50_us: None,
        p99_us: None,
        p999_us: None,
        max_us: None,
        runs_percentiles: Vec::new(),
        ..row
    }
}

fn notes(max_records: u64, saturated: &[String], others: &[String]) -> Vec<String> {
    let producer = latency_mqlite::producer_config(0);
    let mut notes = vec![
        format!(
            "latency = the consumer's receive time (when poll_wait, or the channel receive, \
             returned the record) minus the record's scheduled send time, which the producer \
             writes into the value's first {STAMP_BYTES} bytes: coordinated omission corrected \
             (a late producer does not move the times its records are measured from). One \
             HdrHistogram per run (3 significant digits); p50 / p99 / p99.9 / max are medians \
             over runs of each run's value (the JSON has every run's); ratio is mqlite's p50 \
             over the channel's (higher is slower)"
        ),
        format!(
            "load levels are 20%, 50% and 80% of the max row above them, measured in this \
             invocation with the same producer settings and the consumer tailing (the same \
             pipeline with every record due at once: the end-to-end saturation rate; its \
             latency is not quoted); {max_records} records per max run, {RUN_SECONDS} s of \
             schedule per level run (count = rate x {RUN_SECONDS} s). records/s is the achieved \
             rate: count / (last record received - schedule start); a level any of whose runs \
             got its last record more than {:.0} ms late fell behind its schedule (saturated) \
             and its latency is not quoted",
            BEHIND_S * 1e3
        ),
        format!(
            "mqlite: a file-backed log in the temp dir, one partition; SharedProducer with \
             batch_bytes {} KiB, idempotence {}, linger 0 or 5 ms (the default); the producer \
             thread calls send then poll for every record (linger 0: a batch, one pwrite, per \
             record; linger 5: a batch when 16 KiB fill, about {} records, or at the first \
             poll 5 ms after its first record, on the log's millisecond clock) and drops each \
             send's outcome with forget (fire and forget). The consumer thread calls \
             poll_wait (up to {} records, parked until an append wakes it)",
            producer.batch_bytes / 1024,
            if producer.enable_idempotence {
                "on"
            } else {
                "off"
            },
            producer.batch_bytes / (RECORD_BYTES + 8),
            latency_pair::RECEIVE_MAX,
        ),
        "the producer thread waits for each due time in a sched_yield loop (spinning for the \
         last 10 µs), so its CPU time is about the wall time and much of it is sys; values are copied from the seeded 100 B \
         JSON-like payloads and stamped inside the timed region for both systems. CPU s is \
         producer + consumer thread time, sys the whole process's"
            .into(),
        format!(
            "machine load: 2 shared cores; producer and consumer each need one, so other \
             processes' work shows up as tail latency in both systems. Share of the cores other \
             processes (and kernel threads, such as writeback of these logs) used while each \
             level ran: {}",
            others.join(", ")
        ),
        "not covered: a consumer in another process for the file backend (BENCH.md asks for \
         it). mqlite cannot do that yet: a log opened read-only does not see a live writer's \
         later appends and has no refresh call, so only the two-thread case is measured"
            .into(),
    ];
    if !saturated.is_empty() {
        notes.push(format!(
            "saturated (fell behind the schedule; latency not quoted): {}",
            saturated.join("; ")
        ));
    }
    notes
}
