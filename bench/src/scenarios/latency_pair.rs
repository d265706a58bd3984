//! One run of the latency scenario over any transport: a producer thread sends stamped 100 B
//! values on a [`Schedule`], a consumer thread receives them and records, for each, the time
//! it was received minus the time it was due (HdrHistogram). Timed from the schedule's start to
//! the last value received.
//!
//! The two threads meet at a barrier and share one `Instant`; the schedule starts
//! [`START_LEAD`] after the barrier, so the consumer is already waiting. CPU time is the sum of
//! both threads' on-CPU time; the kernel share is the whole process's.

use crate::histogram;
use crate::pacing::{self, Schedule};
use crate::stats::{Cpu, Sample};
use bytes::Bytes;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Most values one receive hands over (a consumer poll's `max_records`).
pub const RECEIVE_MAX: usize = 4096;
/// How long one receive waits before returning empty.
pub const RECEIVE_TIMEOUT: Duration = Duration::from_millis(100);
/// Between the barrier and the first record's due time.
const START_LEAD: Duration = Duration::from_millis(1);
/// A run whose consumer receives nothing for this long has lost records: abort.
const STALL: Duration = Duration::from_secs(30);
/// The producer's pause between calls to [`Sender::drain`] after its last send.
const DRAIN_PAUSE: Duration = Duration::from_micros(50);

/// The producer's end of a transport.
pub trait Sender: Send {
    /// Sends one value (and does whatever the transport needs right after a send).
    fn send(&mut self, value: Bytes);

    /// Called after the last send, until the consumer has every value: moves along what the
    /// transport still holds back.
    fn drain(&mut self) {}
}

/// The consumer's end of a transport.
pub trait Receiver: Send {
    /// Waits up to [`RECEIVE_TIMEOUT`] for values, then appends every value that has arrived
    /// (up to [`RECEIVE_MAX`]) to `out`.
    fn receive(&mut self, out: &mut Vec<Bytes>);
}

/// Sends `count` values (`templates`, cycled, each stamped with its due time) through the
/// transport on `schedule`, and times them end to end.
pub fn run(
    templates: &[Bytes],
    count: u64,
    schedule: Schedule,
    mut sender: impl Sender,
    mut receiver: impl Receiver,
) -> Sample {
    let origin = Instant::now();
    let barrier = Barrier::new(2);
    let done = AtomicBool::new(false);
    let process = Cpu::now();
    let ((start_ns, producer_cpu), (last_ns, histogram, consumer_cpu)) = std::thread::scope(|s| {
        let producer = s.spawn(|| {
            barrier.wait();
            let cpu = Cpu::now();
            let start_ns = pacing::ns_since(origin) + START_LEAD.as_nanos() as u64;
            for (i, template) in (0..count).zip(templates.iter().cycle()) {
                let due_ns = schedule.due_ns(start_ns, i);
                pacing::wait_until(origin, due_ns);
                sender.send(pacing::stamped(template, due_ns));
            }
            while !done.load(Ordering::Acquire) {
                sender.drain();
                std::thread::sleep(DRAIN_PAUSE);
            }
            (start_ns, Cpu::now().since(cpu))
        });
        let consumer = s.spawn(|| {
            barrier.wait();
            let cpu = Cpu::now();
            let mut histogram = histogram::new();
            let mut values = Vec::with_capacity(RECEIVE_MAX);
            let (mut received, mut last_ns) = (0u64, 0u64);
            let mut progress = Instant::now();
            while received < count {
                receiver.receive(&mut values);
                let now_ns = pacing::ns_since(origin);
                if values.is_empty() {
                    assert!(progress.elapsed() < STALL, "no record for {STALL:?}");
                    continue;
                }
                for value in values.drain(..) {
                    let due_ns = pacing::stamp_of(&value);
                    histogram::record(&mut histogram, now_ns.saturating_sub(due_ns));
                    received += 1;
                }
                (last_ns, progress) = (now_ns, Instant::now());
            }
            assert_eq!(received, count, "received more records than were sent");
            done.store(true, Ordering::Release);
            (last_ns, histogram, Cpu::now().since(cpu))
        });
        (producer.join().unwrap(), consumer.join().unwrap())
    });
    let process = Cpu::now().since(process);
    Sample {
        wall: Duration::from_nanos(last_ns.saturating_sub(start_ns)),
        cpu: Cpu {
            total_s: producer_cpu.total_s + consumer_cpu.total_s,
            sys_s: process.sys_s,
        },
        latencies_ns: Vec::new(),
        histogram: Some(histogram),
    }
}
