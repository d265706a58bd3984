//! Timing and the arithmetic every scenario shares: wall and CPU time around a run, one
//! warm-up and N interleaved runs, medians and percentiles (of a run's latencies, kept in a
//! vector or, by the latency scenario, in an HdrHistogram).
//!
//! CPU time is this thread's on-CPU time from `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`
//! (nanoseconds; the benchmark is single-threaded, except the latency scenario, which adds up
//! its two threads'), and the kernel's share of it from `/proc/self/stat` (system ticks, 10 ms
//! each). Kernel writeback threads are not counted.

use crate::histogram::Percentiles;
use hdrhistogram::Histogram;
use std::time::{Duration, Instant};

/// CPU time used so far.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cpu {
    /// On-CPU seconds (user and system).
    pub total_s: f64,
    /// System (kernel) seconds, at clock-tick resolution.
    pub sys_s: f64,
}

impl Cpu {
    /// The CPU time this thread has used until now.
    pub fn now() -> Self {
        let thread = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        let total_s = thread.tv_sec as f64 + thread.tv_nsec as f64 / 1e9;
        // Fields after the command name's closing parenthesis: state is field 3, so stime
        // (field 15) is the 13th.
        let sys_ticks = std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| {
                s.rsplit_once(')')?
                    .1
                    .split_whitespace()
                    .nth(12)?
                    .parse::<u64>()
                    .ok()
            })
            .unwrap_or(0);
        // Ticks are USER_HZ, 100 per second on Linux.
        Self {
            total_s,
            sys_s: sys_ticks as f64 / 100.0,
        }
    }

    /// The CPU time used between `earlier` and `self`.
    pub fn since(self, earlier: Self) -> Self {
        Self {
            total_s: self.total_s - earlier.total_s,
            sys_s: self.sys_s - earlier.sys_s,
        }
    }
}

/// One measured run.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Wall time of the timed region.
    pub wall: Duration,
    /// CPU time of the timed region.
    pub cpu: Cpu,
    /// Per-operation latencies in nanoseconds, when the scenario records them.
    pub latencies_ns: Vec<u64>,
    /// Per-record latencies in nanoseconds, when the scenario records them in a histogram
    /// (then `latencies_ns` is empty).
    pub histogram: Option<Histogram<u64>>,
}

/// Times `work` (and nothing else).
pub fn sample(work: impl FnOnce()) -> Sample {
    sample_with_latencies(|_| work())
}

/// Times `work`, which may push per-operation latencies into the vector it is given.
pub fn sample_with_latencies(work: impl FnOnce(&mut Vec<u64>)) -> Sample {
    let mut latencies_ns = Vec::new();
    let cpu = Cpu::now();
    let start = Instant::now();
    work(&mut latencies_ns);
    let wall = start.elapsed();
    let cpu = Cpu::now().since(cpu);
    Sample {
        wall,
        cpu,
        latencies_ns,
        histogram: None,
    }
}

/// A run of one system: does its untimed setup, its timed work (through [`sample`]) and its
/// untimed teardown, and returns the sample.
pub type Run<'a> = Box<dyn FnMut() -> Sample + 'a>;

/// One warm-up run of each system, then `runs` rounds in which every system runs once, in
/// turn, so drift on a shared machine hits them alike. Returns each system's samples.
pub fn interleaved(runs: usize, systems: &mut [Run<'_>]) -> Vec<Vec<Sample>> {
    for system in systems.iter_mut() {
        system();
    }
    let mut samples = vec![Vec::with_capacity(runs); systems.len()];
    for _ in 0..runs {
        for (system, out) in systems.iter_mut().zip(samples.iter_mut()) {
            out.push(system());
        }
    }
    samples
}

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        f64::midpoint(values[mid - 1], values[mid])
    }
}

/// The `p`-th percentile (0 to 100, nearest rank) of `sorted`, which must be sorted.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The medians of a system's samples.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Every run's wall seconds, in run order.
    pub runs_wall_s: Vec<f64>,
    /// Median wall seconds.
    pub wall_s: f64,
    /// Median CPU seconds.
    pub cpu_s: f64,
    /// Median kernel seconds.
    pub sys_s: f64,
    /// Median over runs of each run's p50 latency, in microseconds.
    pub p50_us: Option<f64>,
    /// Median over runs of each run's p99 latency, in microseconds.
    pub p99_us: Option<f64>,
    /// Median over runs of each run's p99.9 latency, in microseconds (histograms only).
    pub p999_us: Option<f64>,
    /// Median over runs of each run's largest latency, in microseconds (histograms only).
    pub max_us: Option<f64>,
    /// Every run's percentiles, in run order (histograms only).
    pub runs_percentiles: Vec<Percentiles>,
}

impl Summary {
    /// (slowest - fastest) / median wall time: how much the runs disagree.
    pub fn spread(&self) -> f64 {
        let (min, max) = self
            .runs_wall_s
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), &w| {
                (lo.min(w), hi.max(w))
            });
        if self.runs_wall_s.is_empty() {
            0.0
        } else {
            (max - min) / self.wall_s.max(1e-12)
        }
    }

    /// Summarises `samples` by their medians.
    pub fn of(samples: &[Sample]) -> Self {
        let pick =
            |f: &dyn Fn(&Sample) -> f64| median(&mut samples.iter().map(f).collect::<Vec<_>>());
        let runs_percentiles: Vec<Percentiles> = samples
            .iter()
            .filter_map(|s| s.histogram.as_ref().map(Percentiles::of))
            .collect();
        let from_histograms = |f: fn(&Percentiles) -> f64| {
            (!runs_percentiles.is_empty())
                .then(|| median(&mut runs_percentiles.iter().map(f).collect::<Vec<_>>()))
        };
        let has_latencies = samples.iter().any(|s| !s.latencies_ns.is_empty());
        let latency = |p: f64| {
            has_latencies.then(|| {
                let mut per_run: Vec<f64> = samples
                    .iter()
                    .map(|s| {
                        let mut sorted = s.latencies_ns.clone();
                        sorted.sort_unstable();
                        percentile(&sorted, p) as f64 / 1e3
                    })
                    .collect();
                median(&mut per_run)
            })
        };
        Self {
            runs_wall_s: samples.iter().map(|s| s.wall.as_secs_f64()).collect(),
            wall_s: pick(&|s| s.wall.as_secs_f64()),
            cpu_s: pick(&|s| s.cpu.total_s),
            sys_s: pick(&|s| s.cpu.sys_s),
            p50_us: from_histograms(|p| p.p50_us).or_else(|| latency(50.0)),
            p99_us: from_histograms(|p| p.p99_us).or_else(|| latency(99.0)),
            p999_us: from_histograms(|p| p.p999_us),
            max_us: from_histograms(|p| p.max_us),
            runs_percentiles,
        }
    }
}
