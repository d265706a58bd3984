//! A producer that threads share, over a [`SharedLog`].
//!
//! One [`Producer`] sits behind a mutex, so records from all threads fill the same batches.
//! [`SharedProducer::wait`] blocks until a send's batch is appended: a waiting thread drives
//! the producer itself (appending batches whose linger has passed), so no background thread is
//! needed. Under `fsync` durability the inner producer only appends, and each waiter then asks
//! the shared log to sync through its record's offset, which is where group commit happens:
//! threads waiting at once share one sync.
//!
//! Lock order: the producer's mutex, then the log's. Syncs and waits hold neither.

use super::SharedLog;
use crate::consumer::TopicPartition;
use crate::error::{Error, Result};
use crate::producer::{
    Durability, Producer, ProducerConfig, ProducerRecord, RecordMetadata, SendHandle,
};
use crate::storage::Storage;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The longest a waiter sleeps before looking again, should the log's clock be one that does
/// not follow the wall clock.
const WAIT_STEP_MS_MAX: i64 = 50;

/// A producer shared between threads; clones share it. See the module docs.
pub struct SharedProducer<S: Storage> {
    log: SharedLog<S>,
    state: Arc<State>,
}

struct State {
    producer: Mutex<Producer>,
    /// Signalled whenever batches were appended, so waiters look for their outcome.
    appended: Condvar,
    /// Threads waiting on `appended`; changed only under the producer's lock, so a sender
    /// that sees 0 there skips the wake-up call.
    waiters: AtomicUsize,
    /// The caller asked for `fsync`: waiters sync through their offsets.
    fsync: bool,
    /// Handles to forget once the producer's lock is free: `forget` may be called while this
    /// thread holds it (from a partitioner callback, through a binding's finalizer).
    to_forget: Mutex<Vec<SendHandle>>,
}

impl<S: Storage> Clone for SharedProducer<S> {
    fn clone(&self) -> Self {
        Self {
            log: self.log.clone(),
            state: Arc::clone(&self.state),
        }
    }
}

impl<S: Storage> core::fmt::Debug for SharedProducer<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SharedProducer")
            .field("fsync", &self.state.fsync)
            .finish_non_exhaustive()
    }
}

impl<S: Storage> SharedProducer<S> {
    /// A producer with `config` on `log`.
    pub fn new(log: SharedLog<S>, mut config: ProducerConfig) -> Self {
        let fsync = config.durability == Durability::Fsync;
        if fsync {
            config.durability = Durability::Write;
        }
        Self {
            log,
            state: Arc::new(State {
                producer: Mutex::new(Producer::new(config)),
                appended: Condvar::new(),
                waiters: AtomicUsize::new(0),
                fsync,
                to_forget: Mutex::new(Vec::new()),
            }),
        }
    }

    /// [`Producer::send`] from any thread.
    pub fn send(&self, topic: &str, record: ProducerRecord) -> Result<SendHandle> {
        self.run(|producer, log| producer.send(log, topic, record))
    }

    /// [`Producer::send_ordered`] from any thread.
    pub fn send_ordered(
        &self,
        topic: &str,
        record: ProducerRecord,
        order_key: &[u8],
    ) -> Result<SendHandle> {
        self.run(|producer, log| producer.send_ordered(log, topic, record, order_key))
    }

    /// [`Producer::send_many`] from any thread.
    pub fn send_many(
        &self,
        topic: &str,
        records: impl IntoIterator<Item = ProducerRecord>,
    ) -> Result<Vec<SendHandle>> {
        self.run(|producer, log| producer.send_many(log, topic, records))
    }

    /// Sends `record` and waits for its outcome.
    pub fn send_and_wait(&self, topic: &str, record: ProducerRecord) -> Result<RecordMetadata> {
        let handle = self.send(topic, record)?;
        self.wait(handle)
    }

    /// [`Producer::forget`] from any thread.
    /// Never blocks: if the producer is busy (even in this thread), the handle is forgotten
    /// the next time it is taken.
    pub fn forget(&self, handle: SendHandle) -> Result<()> {
        match self.state.producer.try_lock() {
            Ok(mut producer) => producer.forget(handle),
            Err(_) => self
                .state
                .to_forget
                .lock()
                .map_err(|_| poisoned())?
                .push(handle),
        }
        Ok(())
    }

    /// Appends the batches whose linger has passed; returns how many (see [`Producer::poll`]).
    pub fn poll(&self) -> Result<usize> {
        self.run(|producer, log| producer.poll(log))
    }

    /// Appends every pending batch and, under `fsync`, makes every batch this producer
    /// appended durable.
    pub fn flush(&self) -> Result<()> {
        let (flushed, ends) = {
            let mut producer = self.lock()?;
            let flushed = self.log.with(|log| Ok(producer.flush(log)));
            (flushed?, producer.take_appended_ends())
        };
        self.state.appended.notify_all();
        self.sync_ends(&ends)?;
        flushed
    }

    /// Blocks until `handle`'s batch is appended (and synced under `fsync`); returns its
    /// outcome. Each outcome is handed out once: a handle already waited for, or from another
    /// producer, is an `InvalidRecord` error.
    pub fn wait(&self, handle: SendHandle) -> Result<RecordMetadata> {
        loop {
            if let Some(outcome) = self.wait_for(handle, Duration::from_secs(3600))? {
                return Ok(outcome);
            }
        }
    }

    /// [`Self::wait`] for at most `timeout`: `None` if the outcome is not ready by then (the
    /// handle stays outstanding). A zero timeout only looks (and appends what has lingered).
    pub fn wait_for(
        &self,
        handle: SendHandle,
        timeout: Duration,
    ) -> Result<Option<RecordMetadata>> {
        let deadline = Instant::now().checked_add(timeout);
        let mut producer = self.lock()?;
        loop {
            if let Some(result) = producer.result(handle) {
                drop(producer);
                let metadata = result?;
                if self.state.fsync {
                    let (topic, partition) = (&metadata.topic, metadata.partition);
                    self.log
                        .sync_through(topic, partition, metadata.offset + 1)?;
                }
                return Ok(Some(metadata));
            }
            if !producer.is_outstanding(handle) {
                return Err(Error::InvalidRecord {
                    reason: "unknown send handle: already waited for, or another producer's".into(),
                });
            }
            let now_ms = self.log.with(|log| Ok(log.now_ms()))?;
            let deadline_ms = producer.next_linger_deadline_ms().unwrap_or(now_ms);
            if deadline_ms <= now_ms {
                // Errors are in the handles, this one's included.
                self.log.with(|log| Ok(producer.poll(log).ok()))?;
                self.state.appended.notify_all();
                if producer.is_ready(handle) {
                    continue;
                }
            }
            let left = deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(Instant::now())
            });
            if left.is_zero() {
                return Ok(None);
            }
            let step_ms = (deadline_ms - now_ms).clamp(1, WAIT_STEP_MS_MAX);
            let step = Duration::from_millis(step_ms.unsigned_abs()).min(left);
            self.state.waiters.fetch_add(1, Ordering::Relaxed);
            let woken = self.state.appended.wait_timeout(producer, step);
            self.state.waiters.fetch_sub(1, Ordering::Relaxed);
            producer = woken.map_err(|_| poisoned())?.0;
        }
    }

    fn run<R>(
        &self,
        f: impl FnOnce(&mut Producer, &mut crate::log::Log<S>) -> Result<R>,
    ) -> Result<R> {
        let (result, anyone_waiting) = {
            let mut producer = self.lock()?;
            let result = self.log.with(|log| f(&mut producer, log));
            (result, self.state.waiters.load(Ordering::Relaxed) > 0)
        };
        if anyone_waiting {
            self.state.appended.notify_all();
        }
        result
    }

    fn sync_ends(&self, ends: &BTreeMap<TopicPartition, i64>) -> Result<()> {
        if !self.state.fsync {
            return Ok(());
        }
        let mut first_error = None;
        for (tp, end) in ends {
            if let Err(error) = self.log.sync_through(&tp.topic, tp.partition, *end) {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn lock(&self) -> Result<MutexGuard<'_, Producer>> {
        let mut producer = self.state.producer.lock().map_err(|_| poisoned())?;
        let queued = core::mem::take(&mut *self.state.to_forget.lock().map_err(|_| poisoned())?);
        queued
            .into_iter()
            .for_each(|handle| producer.forget(handle));
        Ok(producer)
    }
}

fn poisoned() -> Error {
    Error::Io {
        op: "lock",
        path: alloc::string::String::new(),
        message: "a thread panicked while holding the producer".into(),
    }
}
