//! `Consumer`: a core consumer over the shared log, with blocking polls (GIL released, woken
//! by appends) and a `close` that ends them.

use crate::convert::{self, Record};
use crate::errors::OrRaise;
use crate::log::{PyLog, Shared};
use mqlite::{AutoOffsetReset, Consumer, ConsumerConfig, TopicPartition};
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A consumer with its own positions.
#[pyclass(module = "mqlite._native", name = "Consumer", frozen)]
pub struct PyConsumer {
    log: Shared,
    consumer: Mutex<Consumer>,
    closed: AtomicBool,
}

/// The longest a poll waits at once before looking at signals and `close`.
const WAIT_SLICE: Duration = Duration::from_millis(100);

impl PyConsumer {
    fn with<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Consumer, &mut mqlite::Log<Box<dyn mqlite::Storage>>) -> mqlite::Result<R>
        + Send,
    ) -> PyResult<R> {
        py.detach(|| {
            let mut consumer = self.consumer.lock().map_err(|_| mqlite::Error::Closed)?;
            self.log.with(|log| f(&mut consumer, log))
        })
        .or_raise()
    }
}

#[pymethods]
impl PyConsumer {
    #[new]
    #[pyo3(signature = (log, *, topics=None, auto_offset_reset="latest"))]
    fn new(
        py: Python<'_>,
        log: &PyLog,
        topics: Option<Vec<String>>,
        auto_offset_reset: &str,
    ) -> PyResult<Self> {
        let config = ConsumerConfig {
            auto_offset_reset: AutoOffsetReset::from_name(auto_offset_reset)
                .map_err(|e| crate::errors::to_py_err(&e))?,
            ..ConsumerConfig::default()
        };
        let this = Self {
            log: log.shared.clone(),
            consumer: Mutex::new(Consumer::new(config)),
            closed: AtomicBool::new(false),
        };
        if let Some(topics) = topics {
            this.subscribe(py, topics)?;
        }
        Ok(this)
    }

    /// Assigns every partition of `topics` (replacing the assignment).
    fn subscribe(&self, py: Python<'_>, topics: Vec<String>) -> PyResult<()> {
        self.with(py, |consumer, log| {
            let names: Vec<&str> = topics.iter().map(String::as_str).collect();
            consumer.assign_topics(log, &names)
        })
    }

    /// Assigns exactly these `(topic, partition)` pairs.
    fn assign(&self, py: Python<'_>, partitions: Vec<(String, u32)>) -> PyResult<()> {
        let partitions: Vec<TopicPartition> = partitions
            .into_iter()
            .map(|(topic, partition)| TopicPartition::new(topic, partition))
            .collect();
        self.with(py, |consumer, log| consumer.assign(log, &partitions))
    }

    /// The assigned `(topic, partition)` pairs.
    fn assignment(&self, py: Python<'_>) -> PyResult<Vec<(String, u32)>> {
        self.with(py, |consumer, _| {
            Ok(consumer
                .assignment()
                .into_iter()
                .map(|tp| (tp.topic, tp.partition))
                .collect())
        })
    }

    /// Up to `max_records` records, waiting up to `timeout_ms` for some to arrive.
    #[pyo3(signature = (max_records=500, timeout_ms=0.0))]
    fn poll(&self, py: Python<'_>, max_records: i64, timeout_ms: f64) -> PyResult<Vec<Record>> {
        let max_records = usize::try_from(convert::non_negative("max_records", max_records)?)
            .unwrap_or(usize::MAX);
        let timeout = convert::timeout("timeout_ms", timeout_ms)?;
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        loop {
            if self.closed.load(Ordering::Acquire) {
                return Err(crate::errors::to_py_err(&mqlite::Error::Closed));
            }
            let left = deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(Instant::now())
            });
            let slice = left.min(WAIT_SLICE);
            let records = py
                .detach(|| {
                    let mut consumer = self.consumer.lock().map_err(|_| mqlite::Error::Closed)?;
                    self.log.poll_wait(&mut consumer, max_records, slice)
                })
                .or_raise()?;
            if !records.is_empty() || left <= WAIT_SLICE {
                let mut out = Vec::with_capacity(records.len());
                for (tp, batch) in records.by_partition() {
                    let topic = PyString::new(py, &tp.topic).unbind();
                    out.extend(
                        batch
                            .iter()
                            .map(|r| convert::record(py, &topic, tp.partition, r)),
                    );
                }
                return Ok(out);
            }
            py.check_signals()?;
        }
    }

    /// The offset of the next record to read from a partition.
    fn position(&self, py: Python<'_>, topic: String, partition: u32) -> PyResult<i64> {
        let tp = TopicPartition::new(topic, partition);
        self.with(py, |consumer, log| consumer.position(log, &tp))
    }

    /// Moves a partition's position to `offset`.
    fn seek(&self, py: Python<'_>, topic: String, partition: u32, offset: i64) -> PyResult<()> {
        let tp = TopicPartition::new(topic, partition);
        self.with(py, |consumer, _| consumer.seek(&tp, offset))
    }

    /// Moves every assigned partition to its first offset.
    fn seek_to_beginning(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |consumer, log| {
            let all = consumer.assignment();
            consumer.seek_to_beginning(log, &all)
        })
    }

    /// Moves every assigned partition to its end (only new records are read).
    fn seek_to_end(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |consumer, log| {
            let all = consumer.assignment();
            consumer.seek_to_end(log, &all)
        })
    }

    /// Moves every assigned partition to its first record at or after `timestamp_ms` (its end
    /// if there is none).
    fn seek_to_timestamp(&self, py: Python<'_>, timestamp_ms: i64) -> PyResult<()> {
        self.with(py, |consumer, log| {
            consumer.seek_to_timestamp(log, timestamp_ms)
        })
    }

    /// Each assigned partition's position and high watermark: `(topic, partition, position,
    /// high_watermark)`.
    fn positions(&self, py: Python<'_>) -> PyResult<Vec<(String, u32, i64, i64)>> {
        self.with(py, |consumer, log| {
            let mut out = Vec::new();
            for tp in consumer.assignment() {
                let position = consumer.position(log, &tp)?;
                let end = log.high_watermark(&tp.topic, tp.partition)?;
                out.push((tp.topic, tp.partition, position, end));
            }
            Ok(out)
        })
    }

    /// Ends this consumer: polls (also those waiting in other threads) raise `Closed`.
    fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// Whether `close` has been called.
    #[getter]
    fn closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}
