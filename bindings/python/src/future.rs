//! `SendFuture`: the outcome of one send, like `concurrent.futures.Future` (`result`,
//! `exception`, `done`), native so a send costs no Python object beyond it.
//!
//! The first caller to take the outcome from the producer caches it, so every thread then sees
//! the same metadata or error. Waits release the GIL and look at signals every 100 ms. A
//! future dropped before its outcome was taken tells the producer to forget it (never
//! blocking, so dropping one anywhere, even inside a partitioner, is safe).

use crate::convert;
use crate::errors::to_py_err;
use crate::producer::RecordMetadata;
use mqlite::storage::Storage;
use mqlite::{SendHandle, SharedProducer};
use pyo3::exceptions::PyTimeoutError;
use pyo3::prelude::*;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest a wait lasts at once before looking at signals.
const WAIT_SLICE: Duration = Duration::from_millis(100);

/// How a send ended.
enum Outcome {
    Sent(Py<RecordMetadata>),
    Failed(PyErr),
}

/// The outcome of one send.
#[pyclass(module = "mqlite._native", name = "SendFuture", frozen)]
pub struct SendFuture {
    producer: SharedProducer<Box<dyn Storage>>,
    handle: SendHandle,
    outcome: Mutex<Option<Outcome>>,
}

impl SendFuture {
    /// The future of `handle`.
    pub fn new(producer: SharedProducer<Box<dyn Storage>>, handle: SendHandle) -> Self {
        Self {
            producer,
            handle,
            outcome: Mutex::new(None),
        }
    }

    /// Waits up to `timeout` (forever if `None`) for the outcome; `false` if not ready.
    fn settle(&self, py: Python<'_>, timeout: Option<Duration>) -> PyResult<bool> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        loop {
            let left = deadline.map_or(WAIT_SLICE, |d| d.saturating_duration_since(Instant::now()));
            let slice = left.min(WAIT_SLICE);
            let taken = py.detach(|| -> PyResult<bool> {
                let Ok(mut outcome) = self.outcome.lock() else {
                    return Ok(true);
                };
                if outcome.is_some() {
                    return Ok(true);
                }
                match self.producer.wait_for(self.handle, slice) {
                    Ok(None) => Ok(false),
                    Ok(Some(metadata)) => {
                        *outcome = Some(Outcome::Sent(Python::attach(|py| {
                            Py::new(py, RecordMetadata::from(metadata))
                        })?));
                        Ok(true)
                    }
                    Err(error) => {
                        *outcome = Some(Outcome::Failed(to_py_err(&error)));
                        Ok(true)
                    }
                }
            });
            if taken? {
                return Ok(true);
            }
            if deadline.is_some() && left <= WAIT_SLICE {
                return Ok(false);
            }
            py.check_signals()?;
        }
    }

    fn outcome(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<Outcome>> {
        let timeout = match timeout {
            None => None,
            Some(seconds) => convert::timeout("timeout", seconds * 1000.0)?,
        };
        if !self.settle(py, timeout)? {
            return Err(PyTimeoutError::new_err("the send did not complete in time"));
        }
        let outcome = self.outcome.lock().ok();
        Ok(outcome.as_ref().and_then(|o| match o.as_ref()? {
            Outcome::Sent(metadata) => Some(Outcome::Sent(metadata.clone_ref(py))),
            Outcome::Failed(error) => Some(Outcome::Failed(error.clone_ref(py))),
        }))
    }
}

#[pymethods]
impl SendFuture {
    /// The record's metadata, waiting up to `timeout` seconds (forever if `None`); raises
    /// `TimeoutError` if not done in time, or the send's error.
    #[pyo3(signature = (timeout=None))]
    fn result(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Py<RecordMetadata>> {
        match self.outcome(py, timeout)? {
            Some(Outcome::Sent(metadata)) => Ok(metadata),
            Some(Outcome::Failed(error)) => Err(error),
            None => Err(to_py_err(&mqlite::Error::Closed)),
        }
    }

    /// The send's error, or `None` if it succeeded (waits like `result`).
    #[pyo3(signature = (timeout=None))]
    fn exception(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<PyErr>> {
        Ok(match self.outcome(py, timeout)? {
            Some(Outcome::Failed(error)) => Some(error),
            _ => None,
        })
    }

    /// Whether the outcome is ready (never blocks).
    fn done(&self, py: Python<'_>) -> PyResult<bool> {
        if let Ok(outcome) = self.outcome.try_lock()
            && outcome.is_some()
        {
            return Ok(true);
        }
        if self.outcome.try_lock().is_err() {
            return Ok(false); // another thread is taking it
        }
        self.settle(py, Some(Duration::ZERO))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match self.outcome.try_lock().ok().as_deref() {
            Some(Some(Outcome::Sent(metadata))) => {
                format!("<SendFuture {}>", metadata.borrow(py).__repr__())
            }
            Some(Some(Outcome::Failed(error))) => format!("<SendFuture failed: {error}>"),
            _ => "<SendFuture pending>".to_owned(),
        }
    }
}

impl Drop for SendFuture {
    fn drop(&mut self) {
        let pending = self.outcome.get_mut().map_or(true, |o| o.is_none());
        if pending {
            let _ = self.producer.forget(self.handle); // the log may be closed: nothing held
        }
    }
}
