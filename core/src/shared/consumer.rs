//! Blocking polls for a [`Consumer`] over a [`SharedLog`]: Kafka's `poll(timeout)`.
//!
//! Under the log's lock the consumer polls, and if nothing is there it registers a waker that
//! unparks this thread at the next append to an assigned partition; holding the lock across
//! both means no append can slip in between. The thread then parks until woken or until the
//! timeout, and polls again. Stale wakes (from an earlier poll's waker) only cost one extra
//! look. Each thread has one waker, so a partition holds at most one registration per waiting
//! thread however often polls come back empty; a poll that will not wait registers nothing.

use super::SharedLog;
use crate::consumer::{Consumer, ConsumerRecords};
use crate::error::Result;
use crate::storage::Storage;
use alloc::sync::Arc;
use std::task::{Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

std::thread_local! {
    /// This thread's waker: the same one for every poll, so registrations do not pile up.
    static THREAD_WAKER: Waker = Arc::new(ThreadWaker(thread::current())).into();
}

/// Unparks the thread that made it.
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

impl<S: Storage> SharedLog<S> {
    /// Up to `max_records` records for `consumer`, waiting up to `timeout` for some to arrive:
    /// returns as soon as there are any, and empty when the timeout passes first.
    pub fn poll_wait(
        &self,
        consumer: &mut Consumer,
        max_records: usize,
        timeout: Duration,
    ) -> Result<ConsumerRecords> {
        let deadline = Instant::now().checked_add(timeout);
        let waker = THREAD_WAKER.with(Waker::clone);
        loop {
            let will_wait = deadline.is_none_or(|d| d > Instant::now());
            let records = self.with(|log| {
                let records = consumer.poll(log, max_records)?;
                if records.is_empty() && will_wait {
                    consumer.wake_on_data(log, &waker)?;
                }
                Ok(records)
            })?;
            let now = Instant::now();
            let left = deadline.map_or(Duration::MAX, |d| d.saturating_duration_since(now));
            if !records.is_empty() || left.is_zero() || max_records == 0 {
                return Ok(records);
            }
            thread::park_timeout(left);
        }
    }
}
