//! Outcomes of sends, by handle.
//!
//! Handles are numbered in the order they are issued, so outcomes sit in a deque indexed by
//! handle number, not in a map. A batch's outcome is one shared allocation for all its records,
//! and a record's [`RecordMetadata`] is only built when it is taken: completing a batch costs
//! a pointer copy per record.
//!
//! Invariants: every issued handle has a slot until it is taken; a slot goes `Waiting` →
//! `Ready` → `Taken` and never back; the deque's front is always a slot not yet taken (taken
//! slots at the front are dropped).

use super::record::{RecordMetadata, SendHandle};
use crate::error::{Error, Result};
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// How one batch ended, for all its records.
#[derive(Debug)]
pub struct DoneBatch {
    /// Where it went.
    pub topic: Arc<str>,
    /// Which partition.
    pub partition: u32,
    /// The offset of its first record (unused on failure).
    pub base_offset: i64,
    /// The log-append time, on topics that use it.
    pub log_append_time_ms: Option<i64>,
    /// Its records' create times, in order.
    pub timestamps_ms: Vec<i64>,
    /// Its records' handles, in order.
    pub handles: Vec<SendHandle>,
    /// Why it failed, if it did.
    pub error: Option<Error>,
}

#[derive(Debug, Clone)]
enum Slot {
    Waiting,
    /// Waiting, but nobody will take the outcome: it is dropped on completion.
    Forgotten,
    Ready(Arc<DoneBatch>, u32),
    Taken,
}

/// Every outstanding handle's slot. See the module docs.
#[derive(Debug, Default)]
pub struct Completions {
    /// The handle number of the deque's front.
    first: u64,
    slots: VecDeque<Slot>,
}

impl Completions {
    /// A new handle, waiting.
    pub fn issue(&mut self) -> SendHandle {
        let handle = SendHandle(self.first + self.slots.len() as u64);
        self.slots.push_back(Slot::Waiting);
        handle
    }

    fn index(&self, handle: SendHandle) -> Option<usize> {
        usize::try_from(handle.0.checked_sub(self.first)?).ok()
    }

    /// Makes the outcome of `batch` ready for each of its handles.
    pub fn complete(&mut self, batch: DoneBatch) {
        let batch = Arc::new(batch);
        for (i, handle) in batch.handles.iter().enumerate() {
            if let Some(slot) = self.index(*handle).and_then(|at| self.slots.get_mut(at)) {
                *slot = match slot {
                    Slot::Waiting => Slot::Ready(Arc::clone(&batch), i as u32),
                    Slot::Forgotten | Slot::Ready(..) | Slot::Taken => Slot::Taken,
                };
            }
        }
        self.drop_taken_front();
    }

    /// Drops `handle`'s outcome now or when it completes: for callers that will never ask.
    pub fn forget(&mut self, handle: SendHandle) {
        if let Some(slot) = self.index(handle).and_then(|at| self.slots.get_mut(at)) {
            *slot = match slot {
                Slot::Waiting | Slot::Forgotten => Slot::Forgotten,
                Slot::Ready(..) | Slot::Taken => Slot::Taken,
            };
        }
        self.drop_taken_front();
    }

    fn drop_taken_front(&mut self) {
        while matches!(self.slots.front(), Some(Slot::Taken)) {
            self.slots.pop_front();
            self.first += 1;
        }
    }

    /// Slots held, from the oldest outstanding handle on.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether `handle`'s outcome is ready and not yet taken.
    pub fn is_ready(&self, handle: SendHandle) -> bool {
        let slot = self.index(handle).and_then(|at| self.slots.get(at));
        matches!(slot, Some(Slot::Ready(..)))
    }

    /// Whether `handle` was issued and not yet taken.
    pub fn is_outstanding(&self, handle: SendHandle) -> bool {
        let slot = self.index(handle).and_then(|at| self.slots.get(at));
        matches!(slot, Some(Slot::Waiting | Slot::Ready(..)))
    }

    /// `handle`'s outcome, if ready; each is handed out once.
    pub fn take(&mut self, handle: SendHandle) -> Option<Result<RecordMetadata>> {
        let slot = self.slots.get_mut(self.index(handle)?)?;
        if !matches!(slot, Slot::Ready(..)) {
            return None;
        }
        let Slot::Ready(batch, i) = core::mem::replace(slot, Slot::Taken) else {
            return None;
        };
        self.drop_taken_front();
        if let Some(error) = &batch.error {
            return Some(Err(error.clone()));
        }
        let timestamp_ms = batch.timestamps_ms.get(i as usize).copied().unwrap_or(-1);
        Some(Ok(RecordMetadata {
            topic: Arc::clone(&batch.topic),
            partition: batch.partition,
            offset: batch.base_offset + i64::from(i),
            timestamp_ms: batch.log_append_time_ms.unwrap_or(timestamp_ms),
        }))
    }
}
