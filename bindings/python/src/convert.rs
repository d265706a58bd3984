//! Python values to the core's types and back.
//!
//! Bytes-like arguments (keys, values, header values) accept `bytes`, `bytearray`,
//! `memoryview` and `str` (encoded as UTF-8), and are copied once into the core; anything else
//! is a `TypeError` naming the argument. Records go back to Python as [`Record`] objects whose
//! key and value are `bytes`.

use crate::payload::Payload;
use bytes::Bytes;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString};
use std::sync::OnceLock;

/// A bytes-like argument named `name`, copied; `None` stays `None`.
pub fn optional_bytes(name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Bytes>> {
    match value {
        None => Ok(None),
        Some(value) if value.is_none() => Ok(None),
        Some(value) => bytes_like(name, value).map(Some),
    }
}

/// A bytes-like argument named `name`, copied.
pub fn bytes_like(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Bytes> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(Bytes::copy_from_slice(bytes.as_bytes()));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Bytes::copy_from_slice(text.to_cow()?.as_bytes()));
    }
    if let Ok(array) = value.cast::<PyByteArray>() {
        return Ok(Bytes::from(array.to_vec()));
    }
    if value.cast::<PyMemoryView>().is_ok() {
        let bytes = value.call_method0("tobytes")?;
        let bytes = bytes.cast::<PyBytes>()?;
        return Ok(Bytes::copy_from_slice(bytes.as_bytes()));
    }
    Err(PyTypeError::new_err(format!(
        "{name} must be bytes, bytearray, memoryview or str, not {}",
        value.get_type().name()?
    )))
}

/// Headers from a sequence of `(name, value)` pairs (name `str`, value bytes-like or None).
pub fn headers(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<mqlite::Header>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Vec::new());
    };
    let mut headers = Vec::new();
    for item in value
        .try_iter()
        .map_err(|_| PyTypeError::new_err("headers must be a sequence of (name, value) pairs"))?
    {
        let item = item?;
        let (name, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract().map_err(|_| {
            PyTypeError::new_err("headers must be a sequence of (name, value) pairs")
        })?;
        let name = name
            .cast::<PyString>()
            .map_err(|_| PyTypeError::new_err("a header name must be a str"))?
            .to_cow()?
            .into_owned();
        let value = optional_bytes("a header value", Some(&value))?;
        headers.push(mqlite::Header { key: name, value });
    }
    Ok(headers)
}

/// A timeout in milliseconds named `name`: `None` for one too large to matter (waits forever);
/// a `ValueError` if negative or not a number.
pub fn timeout(name: &str, ms: f64) -> PyResult<Option<std::time::Duration>> {
    if ms.is_nan() || ms < 0.0 {
        return Err(PyValueError::new_err(format!(
            "{name} must be a number >= 0, not {ms}"
        )));
    }
    Ok(std::time::Duration::try_from_secs_f64(ms / 1000.0).ok())
}

/// A non-negative count or size argument named `name`.
pub fn non_negative(name: &str, value: i64) -> PyResult<u64> {
    u64::try_from(value)
        .map_err(|_| PyValueError::new_err(format!("{name} must be >= 0, not {value}")))
}

/// A stored record, as Python sees it. Key, value and header values stay the engine's bytes
/// until asked for: `key` and `value` copy them into `bytes` once (cached); `key_view` and
/// `value_view` are zero-copy `memoryview`s of the engine's buffer (which they keep alive).
#[pyclass(module = "mqlite._native", frozen)]
pub struct Record {
    /// The topic.
    #[pyo3(get)]
    pub topic: Py<PyString>,
    /// The partition.
    #[pyo3(get)]
    pub partition: u32,
    /// The offset.
    #[pyo3(get)]
    pub offset: i64,
    /// The timestamp in milliseconds since the epoch.
    #[pyo3(get)]
    pub timestamp_ms: i64,
    key: Option<Bytes>,
    value: Option<Bytes>,
    headers: Vec<mqlite::Header>,
    key_bytes: OnceLock<Py<PyBytes>>,
    value_bytes: OnceLock<Py<PyBytes>>,
}

/// `bytes` of `source`, copied on first use and cached.
fn cached_bytes(
    py: Python<'_>,
    source: Option<&Bytes>,
    cache: &OnceLock<Py<PyBytes>>,
) -> Option<Py<PyBytes>> {
    let source = source?;
    Some(
        cache
            .get_or_init(|| PyBytes::new(py, source).unbind())
            .clone_ref(py),
    )
}

/// A zero-copy `memoryview` of `source`.
fn view<'py>(
    py: Python<'py>,
    source: Option<&Bytes>,
) -> PyResult<Option<Bound<'py, PyMemoryView>>> {
    let Some(source) = source else {
        return Ok(None);
    };
    let payload = Bound::new(py, Payload::new(source.clone()))?;
    PyMemoryView::from(payload.as_any()).map(Some)
}

#[pymethods]
impl Record {
    /// The key as `bytes` (copied once), or `None`.
    #[getter]
    fn key(&self, py: Python<'_>) -> Option<Py<PyBytes>> {
        cached_bytes(py, self.key.as_ref(), &self.key_bytes)
    }

    /// The value as `bytes` (copied once), or `None` for a tombstone.
    #[getter]
    fn value(&self, py: Python<'_>) -> Option<Py<PyBytes>> {
        cached_bytes(py, self.value.as_ref(), &self.value_bytes)
    }

    /// The key as a read-only `memoryview` of the engine's buffer, without a copy.
    #[getter]
    fn key_view<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyMemoryView>>> {
        view(py, self.key.as_ref())
    }

    /// The value as a read-only `memoryview` of the engine's buffer, without a copy (it keeps
    /// the buffer the value was read into alive while it exists).
    #[getter]
    fn value_view<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyMemoryView>>> {
        view(py, self.value.as_ref())
    }

    /// The headers, as `(name, value)` pairs.
    #[getter]
    fn headers(&self, py: Python<'_>) -> Vec<(String, Option<Py<PyBytes>>)> {
        self.headers
            .iter()
            .map(|h| {
                let value = h.value.as_ref().map(|v| PyBytes::new(py, v).unbind());
                (h.key.clone(), value)
            })
            .collect()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let show = |b: &Option<Bytes>| match b {
            None => "None".to_owned(),
            Some(b) if b.len() > 64 => format!("<{} bytes>", b.len()),
            Some(b) => format!("{:?}", String::from_utf8_lossy(b)),
        };
        format!(
            "Record(topic={:?}, partition={}, offset={}, timestamp_ms={}, key={}, value={})",
            self.topic.bind(py).to_string(),
            self.partition,
            self.offset,
            self.timestamp_ms,
            show(&self.key),
            show(&self.value)
        )
    }
}

/// A core record as a Python [`Record`] (no bytes are copied yet).
pub fn record(
    py: Python<'_>,
    topic: &Py<PyString>,
    partition: u32,
    record: &mqlite::LogRecord,
) -> Record {
    Record {
        topic: topic.clone_ref(py),
        partition,
        offset: record.offset,
        timestamp_ms: record.timestamp_ms,
        key: record.key.clone(),
        value: record.value.clone(),
        headers: record.headers.clone(),
        key_bytes: OnceLock::new(),
        value_bytes: OnceLock::new(),
    }
}
