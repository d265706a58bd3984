//! A log shared between threads, with group commit.
//!
//! The [`Log`] sits behind one mutex; every call takes it for as long as the engine works and
//! no longer. A sync is the exception, since it waits on the disk: [`SharedLog::sync_through`]
//! starts the sync under the lock (noting how far the partition had been appended), lets go,
//! and waits on the disk unlocked, so other threads keep appending meanwhile. Threads that need
//! a sync while one is in flight wait for it, and if it does not cover their offsets, one of
//! them starts the next, which covers all of them: N threads sending at once cost about one
//! sync per round, not N.
//!
//! Invariants: `synced_end` of a partition only grows, and every offset below it is durable;
//! at most one sync per partition is in flight; after a failed sync the partition acknowledges
//! nothing as durable until the log is reopened, since a later sync that succeeds cannot vouch
//! for the bytes the failed one lost (Linux reports a writeback error once), and recovery cuts
//! a partition at its first hole.

use crate::consumer::TopicPartition;
use crate::error::{Error, ErrorCode, Result};
use crate::log::Log;
use crate::storage::Storage;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// A [`Log`] that threads share; clones are handles on the same log. See the module docs.
pub struct SharedLog<S: Storage> {
    inner: Arc<Inner<S>>,
}

struct Inner<S: Storage> {
    /// `None` once closed.
    log: Mutex<Option<Log<S>>>,
    syncs: Mutex<BTreeMap<SyncKey, SyncProgress>>,
    sync_done: Condvar,
}

/// A partition of one incarnation of a topic: a topic deleted and created again starts over.
type SyncKey = (TopicPartition, u64);

/// Where a partition's syncs stand.
#[derive(Debug, Default)]
struct SyncProgress {
    /// Every offset below this is durable.
    synced_end: i64,
    /// A sync is running.
    in_flight: bool,
    /// A sync failed: the partition acknowledges nothing more until reopened.
    failure: Option<Error>,
}

impl<S: Storage> Clone for SharedLog<S> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S: Storage> core::fmt::Debug for SharedLog<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SharedLog").finish_non_exhaustive()
    }
}

/// A panic while holding a lock poisons it; mqlite code does not panic, so this names a bug.
fn poisoned<T>(_: PoisonError<T>) -> Error {
    Error::Io {
        op: "lock",
        path: alloc::string::String::new(),
        message: "a thread panicked while holding the log; reopen it".into(),
    }
}

impl<S: Storage> SharedLog<S> {
    /// Shares `log`.
    pub fn new(log: Log<S>) -> Self {
        Self {
            inner: Arc::new(Inner {
                log: Mutex::new(Some(log)),
                syncs: Mutex::new(BTreeMap::new()),
                sync_done: Condvar::new(),
            }),
        }
    }

    /// Runs `f` on the log, holding its lock. Fails with `Closed` after [`Self::close`].
    pub fn with<R>(&self, f: impl FnOnce(&mut Log<S>) -> Result<R>) -> Result<R> {
        let mut guard = self.inner.log.lock().map_err(poisoned)?;
        let log = guard.as_mut().ok_or(Error::Closed)?;
        f(log)
    }

    /// Closes the log (syncing it) and hands back its storage; every later call on any handle
    /// fails with `Closed`.
    pub fn close(&self) -> Result<S> {
        self.take()?.close()
    }

    /// Takes the log out as it is (no sync); every later call on any handle fails with
    /// `Closed`.
    pub fn take(&self) -> Result<Log<S>> {
        let log = self.inner.log.lock().map_err(poisoned)?.take();
        log.ok_or(Error::Closed)
    }

    /// Makes every offset of the partition below `end_offset` durable, sharing the sync with
    /// any other thread that needs one at the same time (see the module docs).
    pub fn sync_through(&self, topic: &str, partition: u32, end_offset: i64) -> Result<()> {
        let generation = self.with(|log| log.topic_generation(topic))?;
        let key = (TopicPartition::new(topic, partition), generation);
        let mut syncs = self.lock_syncs()?;
        loop {
            let progress = syncs.entry(key.clone()).or_default();
            // Checked first: after a failed sync the disk may have dropped bytes that a later
            // sync would not vouch for, and recovery cuts a partition at its first hole, so
            // nothing of the partition is acknowledged any more until the log is reopened.
            if let Some(error) = &progress.failure {
                return Err(error.clone());
            }
            if progress.synced_end >= end_offset {
                return Ok(());
            }
            if !progress.in_flight {
                progress.in_flight = true;
                drop(syncs);
                return self.lead_sync(&key);
            }
            syncs = self.inner.sync_done.wait(syncs).map_err(poisoned)?;
        }
    }

    /// Runs one sync of `tp` as its leader: starts it under the log lock (storage without
    /// detached syncs does all of it there), finishes it unlocked, and publishes the outcome to
    /// the waiters. Only an I/O failure marks the partition; any other (the topic was deleted,
    /// the log closed) reached no disk, and the waiters go on to find it themselves.
    fn lead_sync(&self, key: &SyncKey) -> Result<()> {
        let (tp, generation) = key;
        let outcome = self
            .with(|log| {
                if log.topic_generation(&tp.topic)? != *generation {
                    // Deleted (and maybe created again) since: nothing of ours left to sync.
                    return Err(Error::TopicNotFound {
                        topic: tp.topic.clone(),
                    });
                }
                log.detached_sync_partition(&tp.topic, tp.partition)
            })
            .and_then(|(end, job)| job.map_or(Ok(()), |job| job()).map(|()| end));
        let mut syncs = self.lock_syncs()?;
        let progress = syncs.entry(key.clone()).or_default();
        progress.in_flight = false;
        let result = match outcome {
            Ok(end) => {
                progress.synced_end = progress.synced_end.max(end);
                Ok(())
            }
            Err(error) => {
                if error.code() == ErrorCode::Io {
                    progress.failure = Some(error.clone());
                }
                Err(error)
            }
        };
        drop(syncs);
        if let Err(error) = &result
            && error.code() == ErrorCode::Io
        {
            // Best effort: the partition may be gone; the failure is recorded above anyway.
            let _ = self.with(|log| log.note_sync_failure(&tp.topic, tp.partition, error));
        }
        self.inner.sync_done.notify_all();
        result
    }

    fn lock_syncs(&self) -> Result<MutexGuard<'_, BTreeMap<SyncKey, SyncProgress>>> {
        self.inner.syncs.lock().map_err(poisoned)
    }
}
