//! Sending on a fixed-rate schedule: when record `i` is due, waiting for that moment, and
//! stamping a value with it, so a consumer can measure latency from the intended send time
//! (correcting coordinated omission: a producer that falls behind does not move the times its
//! late records are measured from).
//!
//! Times are nanoseconds since an `Instant` that producer and consumer share.

use bytes::Bytes;
use std::time::Instant;

/// Bytes at the start of a stamped value that hold its due time (little-endian `u64`).
pub const STAMP_BYTES: usize = 8;

/// When each record of a run is due.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule {
    /// `per_s` records per second, evenly spaced.
    Rate {
        /// Records per second.
        per_s: f64,
    },
    /// Every record is due at the start: as fast as possible.
    Saturate,
}

impl Schedule {
    /// Record `i`'s due time, for a schedule starting at `start_ns`.
    pub fn due_ns(self, start_ns: u64, i: u64) -> u64 {
        match self {
            Self::Rate { per_s } => start_ns + (i as f64 * 1e9 / per_s) as u64,
            Self::Saturate => start_ns,
        }
    }
}

/// Nanoseconds from `origin` to now.
pub fn ns_since(origin: Instant) -> u64 {
    origin.elapsed().as_nanos() as u64
}

/// Below this much time left, [`wait_until`] spins instead of yielding: a `sched_yield`
/// costs about a microsecond here, as much as a whole send at the highest rates.
const SPIN_NS: u64 = 10_000;

/// Waits until `due_ns` after `origin`: calls `sched_yield` in a loop while more than
/// [`SPIN_NS`] are left, then spins on the clock. A sleep would wake tens of microseconds
/// late; a bare spin for long waits would keep the core from the consumer when the scheduler
/// wakes it there (it would wait for the end of the producer's time slice, milliseconds).
pub fn wait_until(origin: Instant, due_ns: u64) {
    loop {
        let now_ns = ns_since(origin);
        if now_ns >= due_ns {
            return;
        }
        if due_ns - now_ns > SPIN_NS {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}

/// A copy of `template` whose first [`STAMP_BYTES`] bytes are `due_ns`.
pub fn stamped(template: &[u8], due_ns: u64) -> Bytes {
    let mut value = template.to_vec();
    value[..STAMP_BYTES].copy_from_slice(&due_ns.to_le_bytes());
    Bytes::from(value)
}

/// The due time a [`stamped`] value carries.
pub fn stamp_of(value: &[u8]) -> u64 {
    u64::from_le_bytes(value[..STAMP_BYTES].try_into().unwrap())
}
