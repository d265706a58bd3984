//! How busy the rest of the machine was: the CPU time every other process (and kernel
//! thread) used over a span, from `/proc/stat` minus this process's `/proc/self/stat`, in
//! clock ticks (10 ms each). On a shared 2-core machine this says whether a row ran alone.

use std::time::Instant;

/// Clock ticks per second (`USER_HZ`, 100 on Linux).
const TICKS_PER_S: f64 = 100.0;

/// CPU time used so far by the whole machine and by this process.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    at: Instant,
    machine_ticks: u64,
    own_ticks: u64,
}

impl Load {
    /// The counters now (zero where `/proc` cannot be read).
    pub fn now() -> Self {
        Self {
            at: Instant::now(),
            machine_ticks: machine_busy_ticks().unwrap_or(0),
            own_ticks: own_ticks().unwrap_or(0),
        }
    }

    /// The share of `cores` that other processes used between `earlier` and now (0 to 1).
    pub fn others_since(earlier: Self, cores: usize) -> f64 {
        let now = Self::now();
        let others = (now.machine_ticks.saturating_sub(earlier.machine_ticks))
            .saturating_sub(now.own_ticks.saturating_sub(earlier.own_ticks));
        let capacity = now.at.duration_since(earlier.at).as_secs_f64() * cores.max(1) as f64;
        (others as f64 / TICKS_PER_S / capacity.max(1e-9)).clamp(0.0, 1.0)
    }
}

/// user + nice + system + irq + softirq over all CPUs (the first line of `/proc/stat`).
fn machine_busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    let [user, nice, system, _idle, _iowait, irq, softirq, ..] = fields.as_slice() else {
        return None;
    };
    Some(user + nice + system + irq + softirq)
}

/// utime + stime of this process, all threads (fields 14 and 15 of `/proc/self/stat`).
fn own_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name's closing parenthesis: state is field 3, so utime
    // (field 14) is the 12th.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}
