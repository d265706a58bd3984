//! Waiting for new records without spinning: wakers registered per partition, woken by the
//! next append to it (or by the topic's deletion).
//!
//! `core::task::Waker` is in `core`, so this works without `std`: an async runtime (asyncio
//! through the Python binding, promises in wasm) registers its task's waker; a blocking
//! caller registers one that unparks its thread. A waker is woken once and then forgotten:
//! register again to wait again.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::task::Waker;

/// Wakers waiting for appends, by topic and partition.
#[derive(Debug, Default)]
pub struct AppendWakers {
    waiting: BTreeMap<(String, u32), Vec<Waker>>,
}

impl AppendWakers {
    /// Wakes `waker` at the next append to the partition (once, however often it registers).
    pub fn register(&mut self, topic: &str, partition: u32, waker: &Waker) {
        let key = (String::from(topic), partition);
        let wakers = self.waiting.entry(key).or_default();
        if !wakers.iter().any(|w| w.will_wake(waker)) {
            wakers.push(waker.clone());
        }
    }

    /// How many wakers wait on the partition.
    pub fn waiting(&self, topic: &str, partition: u32) -> usize {
        self.waiting
            .iter()
            .filter(|((t, p), _)| t == topic && *p == partition)
            .map(|(_, wakers)| wakers.len())
            .sum()
    }

    /// Wakes everything waiting on the partition.
    pub fn wake(&mut self, topic: &str, partition: u32) {
        if self.waiting.is_empty() {
            return; // the common case: nobody waits, and no key is built
        }
        if let Some(wakers) = self.waiting.remove(&(String::from(topic), partition)) {
            wakers.into_iter().for_each(Waker::wake);
        }
    }

    /// Wakes everything waiting on any partition of `topic`.
    pub fn wake_topic(&mut self, topic: &str) {
        let keys: Vec<_> = self
            .waiting
            .keys()
            .filter(|(t, _)| t == topic)
            .cloned()
            .collect();
        for key in keys {
            if let Some(wakers) = self.waiting.remove(&key) {
                wakers.into_iter().for_each(Waker::wake);
            }
        }
    }
}
