//! `Producer`: a `SharedProducer` that Python threads share. Sends return a `SendFuture`.
//!
//! A Python callable as partitioner runs with the GIL taken back; if it raises, or returns
//! something other than an int, the send fails with that exception.

use crate::convert;
use crate::errors::OrRaise;
use crate::future::SendFuture;
use crate::log::{PyLog, Shared};
use mqlite::partitioner::{PartitionFn, PartitionRequest, Partitioner};
use mqlite::storage::Storage;
use mqlite::{Durability, ProducerConfig, ProducerRecord, SharedProducer};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

/// Where a sent record went.
#[pyclass(module = "mqlite._native", frozen, get_all)]
pub struct RecordMetadata {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: u32,
    /// The offset.
    pub offset: i64,
    /// The record's timestamp (create time, or log-append time).
    pub timestamp_ms: i64,
}

#[pymethods]
impl RecordMetadata {
    pub(crate) fn __repr__(&self) -> String {
        format!(
            "RecordMetadata(topic={:?}, partition={}, offset={}, timestamp_ms={})",
            self.topic, self.partition, self.offset, self.timestamp_ms
        )
    }

    fn __eq__(&self, other: &Self) -> bool {
        (&self.topic, self.partition, self.offset, self.timestamp_ms)
            == (
                &other.topic,
                other.partition,
                other.offset,
                other.timestamp_ms,
            )
    }
}

impl From<mqlite::RecordMetadata> for RecordMetadata {
    fn from(metadata: mqlite::RecordMetadata) -> Self {
        Self {
            topic: metadata.topic.to_string(),
            partition: metadata.partition,
            offset: metadata.offset,
            timestamp_ms: metadata.timestamp_ms,
        }
    }
}

/// The exception a Python partitioner raised during a thread's current call: the partitioner
/// runs in the thread that sends, so each thread finds its own.
type CallbackError = Arc<Mutex<HashMap<ThreadId, PyErr>>>;

/// A producer shared by Python threads.
#[pyclass(module = "mqlite._native", name = "Producer", frozen)]
pub struct PyProducer {
    inner: SharedProducer<Box<dyn Storage>>,
    callback_error: CallbackError,
}

/// A partitioner from its name or a callable `(topic, key, partitions) -> int`.
fn partitioner(value: &Bound<'_, PyAny>, errors: &CallbackError) -> PyResult<Partitioner> {
    if let Ok(name) = value.cast::<PyString>() {
        return Partitioner::from_name(name.to_cow()?.as_ref())
            .map_err(|e| crate::errors::to_py_err(&e));
    }
    if !value.is_callable() {
        return Err(PyTypeError::new_err(
            "partitioner must be a name or a callable (topic, key, partitions) -> int",
        ));
    }
    let callable: Py<PyAny> = value.clone().unbind();
    let errors = Arc::clone(errors);
    let function: PartitionFn = Arc::new(move |request: &PartitionRequest<'_>| {
        Python::attach(|py| {
            let key = request.key.map(|k| PyBytes::new(py, k));
            let answer = callable
                .call1(py, (request.topic, key, request.partitions))
                .and_then(|v| v.extract::<u32>(py));
            answer.unwrap_or_else(|error| {
                if let Ok(mut by_thread) = errors.lock() {
                    by_thread
                        .entry(std::thread::current().id())
                        .or_insert(error);
                }
                u32::MAX // outside every topic: the send fails, and raises `error`
            })
        })
    });
    Ok(Partitioner::Custom(function))
}

#[pymethods]
impl PyProducer {
    #[new]
    #[pyo3(signature = (log, *, partitioner=None, linger_ms=5, batch_bytes=16384,
        durability="write", compression=None, enable_idempotence=true, retries=5))]
    #[allow(
        clippy::too_many_arguments,
        reason = "Kafka's producer settings, by keyword"
    )]
    fn new(
        log: &PyLog,
        partitioner: Option<&Bound<'_, PyAny>>,
        linger_ms: i64,
        batch_bytes: i64,
        durability: &str,
        compression: Option<&str>,
        enable_idempotence: bool,
        retries: i64,
    ) -> PyResult<Self> {
        let callback_error = CallbackError::default();
        let mut config = ProducerConfig {
            linger_ms: i64::try_from(convert::non_negative("linger_ms", linger_ms)?)
                .unwrap_or(i64::MAX),
            batch_bytes: usize::try_from(convert::non_negative("batch_bytes", batch_bytes)?)
                .unwrap_or(usize::MAX),
            durability: Durability::from_name(durability)
                .map_err(|e| crate::errors::to_py_err(&e))?,
            compression: compression
                .map(mqlite::Compression::from_name)
                .transpose()
                .map_err(|e| crate::errors::to_py_err(&e))?,
            enable_idempotence,
            retries: u32::try_from(convert::non_negative("retries", retries)?).unwrap_or(u32::MAX),
            ..ProducerConfig::default()
        };
        if let Some(value) = partitioner {
            config.partitioner = self::partitioner(value, &callback_error)?;
        }
        Ok(Self {
            inner: SharedProducer::new(shared(log), config),
            callback_error,
        })
    }

    /// Sends one record; returns its handle.
    #[pyo3(signature = (topic, value=None, key=None, headers=None, partition=None, timestamp_ms=None))]
    #[allow(clippy::too_many_arguments, reason = "Kafka's send, by keyword")]
    fn send(
        &self,
        py: Python<'_>,
        topic: &str,
        value: Option<&Bound<'_, PyAny>>,
        key: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        partition: Option<u32>,
        timestamp_ms: Option<i64>,
    ) -> PyResult<SendFuture> {
        let record = ProducerRecord {
            key: convert::optional_bytes("key", key)?,
            value: convert::optional_bytes("value", value)?,
            headers: convert::headers(headers)?,
            partition,
            timestamp_ms,
        };
        let sent = py.detach(|| self.inner.send(topic, record));
        self.raise_callback_error()?;
        let handle = sent.or_raise()?;
        Ok(SendFuture::new(self.inner.clone(), handle))
    }

    /// Sends many `(key, value)` pairs (or values) in one call, appended before it returns;
    /// returns how many were sent. Raises the first failure.
    fn send_many(
        &self,
        py: Python<'_>,
        topic: &str,
        records: &Bound<'_, PyAny>,
    ) -> PyResult<usize> {
        let mut batch = Vec::new();
        for item in records.try_iter().map_err(|_| {
            PyTypeError::new_err("records must be an iterable of (key, value) pairs or values")
        })? {
            batch.push(pair(&item?)?);
        }
        let handles = py.detach(|| self.inner.send_many(topic, batch));
        self.raise_callback_error()?;
        let handles = handles.or_raise()?;
        let count = handles.len();
        py.detach(|| {
            let mut first_error = None;
            for handle in handles {
                if let Err(error) = self.inner.wait(handle) {
                    first_error.get_or_insert(error);
                }
            }
            first_error.map_or(Ok(()), Err)
        })
        .or_raise()?;
        Ok(count)
    }

    /// Appends every pending batch (and syncs under `fsync`).
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.inner.flush()).or_raise()
    }

    /// Appends the batches whose linger has passed; returns how many.
    fn poll(&self, py: Python<'_>) -> PyResult<usize> {
        py.detach(|| self.inner.poll()).or_raise()
    }
}

impl PyProducer {
    /// Raises what a Python partitioner raised during this thread's last call, if anything.
    fn raise_callback_error(&self) -> PyResult<()> {
        let this_thread = std::thread::current().id();
        let error = (self.callback_error.lock().ok()).and_then(|mut m| m.remove(&this_thread));
        error.map_or(Ok(()), Err)
    }
}

fn shared(log: &PyLog) -> Shared {
    log.shared.clone()
}

/// One item of `send_many`: a `(key, value)` pair, or a bare value.
fn pair(item: &Bound<'_, PyAny>) -> PyResult<ProducerRecord> {
    if let Ok((key, value)) = item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>() {
        return Ok(ProducerRecord {
            key: convert::optional_bytes("key", Some(&key))?,
            value: convert::optional_bytes("value", Some(&value))?,
            ..ProducerRecord::default()
        });
    }
    Ok(ProducerRecord {
        value: convert::optional_bytes("value", Some(item))?,
        ..ProducerRecord::default()
    })
}
