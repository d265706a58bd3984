//! Sharing the engine between threads (std only): a [`SharedLog`] with group commit, a
//! [`SharedProducer`] many threads send through, and blocking consumer polls.
//!
//! The engine itself is single-threaded and lock-free (`&mut Log` per call); this layer adds
//! the locks, the waits and the one piece of concurrency that changes behaviour: syncs that
//! run outside the log's lock so concurrent senders share them. The Python and JavaScript
//! bindings build on it rather than on locks of their own.

mod consumer;
mod log;
mod producer;

pub use log::SharedLog;
pub use producer::SharedProducer;
