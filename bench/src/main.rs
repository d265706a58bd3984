//! mqlite-bench: measures the mqlite engine next to a no-engine ceiling run over the same
//! bytes, prints a Markdown table and writes JSON and Markdown under `bench/results/`.
//!
//! This file parses the command line and dispatches to the scenarios; bench/README.md says
//! what every row means.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmark binary: a failure should abort loudly"
)]

mod histogram;
mod load;
mod machine;
mod pacing;
mod payload;
mod report;
mod scenarios;
mod stats;

use scenarios::Config;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: mqlite-bench [all|append|producer|durability|scan|latency|codec] [--records N] [--runs N]
                    [--batch N] [--linger MS] [--dir PATH] [--out PATH]

  all         every scenario below (the default)
  append      scenario 1: append throughput, batch sizes 1/16/256/4096, next to a ceiling run
  producer    scenario 1: the producer path (send_many; send + flush) next to Log::append
  durability  scenario 2: fsync every 1/10/100/1000 records at 100 B and 1 KiB, next to raw
              write + fdatasync and this machine's fsync latency
  scan        scenario 3: sequential scan, random reads by offset, seek by timestamp
  latency     scenario 4: end-to-end latency (producer thread to tailing consumer) at 20/50/80%
              of the maximum rate, linger 0 and 5 ms, next to a std::sync::mpsc channel
  codec       scenario 5: batch encode/decode with and without LZ4, CRC-32 against memcpy

  --records N   records per run (default 5000000, producer 2000000; by default, the batch
                size 1 rows use a tenth of it; durability: 100 to 1000 syncs per run;
                latency: 200000 for the maximum, one second of schedule per load level)
  --runs N      measured runs after one warm-up; the median is reported (default 5)
  --batch N     append, producer: measure only this batch size (e.g. to profile one row);
                durability: only this fsync interval
  --linger MS   latency: measure only this producer linger (default: 0 and 5 ms)
  --dir PATH    where temporary logs go (default: the system temp dir, usually /tmp)
  --out PATH    where result files go (default: bench/results)";

/// A scenario's entry point.
type Scenario = fn(&Config) -> report::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    All,
    Append,
    Producer,
    Durability,
    Scan,
    Latency,
    Codec,
}

fn parse_args() -> Result<(Which, Config), String> {
    let mut which = Which::All;
    let mut config = Config {
        records: None,
        batch: None,
        linger_ms: None,
        runs: 5,
        dir: std::env::temp_dir(),
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "all" => which = Which::All,
            "append" => which = Which::Append,
            "producer" => which = Which::Producer,
            "durability" => which = Which::Durability,
            "scan" => which = Which::Scan,
            "latency" => which = Which::Latency,
            "codec" => which = Which::Codec,
            "--records" => {
                let n: u64 = value("--records")?
                    .replace('_', "")
                    .parse()
                    .map_err(|e| format!("--records: {e}"))?;
                config.records = Some(n.max(1));
            }
            "--batch" => {
                let n: usize = value("--batch")?
                    .parse()
                    .map_err(|e| format!("--batch: {e}"))?;
                config.batch = Some(n.max(1));
            }
            "--linger" => {
                let ms: i64 = value("--linger")?
                    .parse()
                    .map_err(|e| format!("--linger: {e}"))?;
                config.linger_ms = Some(ms.max(0));
            }
            "--runs" => {
                let n: usize = value("--runs")?
                    .parse()
                    .map_err(|e| format!("--runs: {e}"))?;
                config.runs = n.max(1);
            }
            "--dir" => config.dir = PathBuf::from(value("--dir")?),
            "--out" => config.out = PathBuf::from(value("--out")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok((which, config))
}

fn main() -> ExitCode {
    let (which, config) = match parse_args() {
        Ok(parsed) => parsed,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}\n");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; use `cargo run --release -p mqlite-bench`");
    }
    let context = machine::Context::capture();
    eprintln!(
        "mqlite-bench at {} on {} ({} cores, kernel {}); {} runs after a warm-up",
        context.commit, context.cpu_model, context.nproc, context.kernel, config.runs
    );
    let scenarios: &[(Which, Scenario)] = &[
        (Which::Append, scenarios::append::run),
        (Which::Producer, scenarios::producer::run),
        (Which::Durability, scenarios::durability::run),
        (Which::Scan, scenarios::read::run),
        (Which::Latency, scenarios::latency::run),
        (Which::Codec, scenarios::codec::run),
    ];
    for (scenario, run) in scenarios {
        if which == Which::All || which == *scenario {
            let started = std::time::Instant::now();
            let report = run(&config);
            eprintln!(
                "{} took {:.0} s",
                report.scenario,
                started.elapsed().as_secs_f64()
            );
            let markdown = report::markdown(&report, &context);
            println!("{markdown}");
            match report::write(&report, &context, &markdown, &config.out) {
                Ok(paths) => eprintln!("wrote {}", paths.join(", ")),
                Err(e) => eprintln!("could not write results to {}: {e}", config.out.display()),
            }
        }
    }
    ExitCode::SUCCESS
}
