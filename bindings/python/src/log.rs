//! `Log`: a log directory (or an in-memory log) shared by the producers and consumers made
//! from it. Every call that takes the log's lock releases the GIL first: a Python partitioner
//! runs under that lock and takes the GIL, so holding both the other way round would deadlock.

use crate::convert::{self, Record};
use crate::errors::OrRaise;
use mqlite::storage::Storage;
use mqlite::{Compression, Log, LogOptions, SharedLog, TimestampType, TopicConfig};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use std::path::PathBuf;

/// The shared log every native object holds.
pub type Shared = SharedLog<Box<dyn Storage>>;

/// A log, open for writing (or reading) until `close`.
#[pyclass(module = "mqlite._native", name = "Log", frozen)]
pub struct PyLog {
    pub shared: Shared,
    path: Option<PathBuf>,
}

#[pymethods]
impl PyLog {
    /// Opens the log in directory `path` (created if missing), or an in-memory log.
    #[new]
    #[pyo3(signature = (path=None, read_only=false))]
    fn new(py: Python<'_>, path: Option<PathBuf>, read_only: bool) -> PyResult<Self> {
        let options = LogOptions {
            read_only,
            ..LogOptions::default()
        };
        let log = py
            .detach(|| Log::open_boxed(path.as_deref(), options))
            .or_raise()?;
        Ok(Self {
            shared: SharedLog::new(log),
            path,
        })
    }

    /// The directory, or `None` in memory.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.path.clone()
    }

    /// Creates a topic.
    #[pyo3(signature = (name, partitions=1, *, retention_ms=None, retention_bytes=None,
        segment_bytes=None, segment_ms=None, compression="none", timestamp_type="create_time"))]
    #[allow(
        clippy::too_many_arguments,
        reason = "Kafka's topic settings, by keyword"
    )]
    fn create_topic(
        &self,
        py: Python<'_>,
        name: &str,
        partitions: i64,
        retention_ms: Option<i64>,
        retention_bytes: Option<i64>,
        segment_bytes: Option<i64>,
        segment_ms: Option<i64>,
        compression: &str,
        timestamp_type: &str,
    ) -> PyResult<()> {
        let partitions = u32::try_from(partitions).map_err(|_| {
            PyValueError::new_err(format!("partitions must be 1 to 10000, not {partitions}"))
        })?;
        let mut config = TopicConfig::with_partitions(partitions);
        config.retention_ms = retention_ms;
        config.retention_bytes = retention_bytes
            .map(|b| convert::non_negative("retention_bytes", b))
            .transpose()?;
        if let Some(bytes) = segment_bytes {
            config.segment_bytes = convert::non_negative("segment_bytes", bytes)?;
        }
        config.segment_ms = segment_ms;
        config.compression =
            Compression::from_name(compression).map_err(|e| crate::errors::to_py_err(&e))?;
        config.timestamp_type =
            TimestampType::from_name(timestamp_type).map_err(|e| crate::errors::to_py_err(&e))?;
        py.detach(|| self.shared.with(|log| log.create_topic(name, config)))
            .or_raise()
    }

    /// Deletes a topic and its data.
    fn delete_topic(&self, py: Python<'_>, name: &str) -> PyResult<()> {
        py.detach(|| self.shared.with(|log| log.delete_topic(name)))
            .or_raise()
    }

    /// Topic names, sorted.
    fn topics(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        py.detach(|| self.shared.with(|log| Ok(log.topics())))
            .or_raise()
    }

    /// A topic's config and partitions, as a dict.
    fn describe<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
        let description = py
            .detach(|| self.shared.with(|log| log.describe(name)))
            .or_raise()?;
        let config = &description.config;
        let out = PyDict::new(py);
        out.set_item("name", &description.name)?;
        let settings = PyDict::new(py);
        settings.set_item("partitions", config.partitions)?;
        settings.set_item("segment_bytes", config.segment_bytes)?;
        settings.set_item("segment_ms", config.segment_ms)?;
        settings.set_item("retention_ms", config.retention_ms)?;
        settings.set_item("retention_bytes", config.retention_bytes)?;
        let codec = match config.compression {
            Compression::None => "none",
            Compression::Lz4 => "lz4",
        };
        settings.set_item("compression", codec)?;
        let timestamps = match config.timestamp_type {
            TimestampType::CreateTime => "create_time",
            TimestampType::LogAppendTime => "log_append_time",
        };
        settings.set_item("timestamp_type", timestamps)?;
        out.set_item("config", settings)?;
        let mut partitions = Vec::new();
        for info in &description.partitions {
            let p = PyDict::new(py);
            p.set_item("partition", info.partition)?;
            p.set_item("log_start_offset", info.log_start_offset)?;
            p.set_item("high_watermark", info.high_watermark)?;
            p.set_item("size_bytes", info.size_bytes)?;
            p.set_item("segments", info.segments)?;
            partitions.push(p);
        }
        out.set_item("partitions", partitions)?;
        Ok(out)
    }

    /// Records of one partition from `offset`, whole batches up to about `max_bytes`.
    #[pyo3(signature = (topic, partition, offset, max_bytes=1048576))]
    fn read(
        &self,
        py: Python<'_>,
        topic: &str,
        partition: u32,
        offset: i64,
        max_bytes: i64,
    ) -> PyResult<Vec<Record>> {
        let max_bytes = convert::non_negative("max_bytes", max_bytes)?;
        let max_bytes = usize::try_from(max_bytes).unwrap_or(usize::MAX);
        let records = py
            .detach(|| {
                self.shared
                    .with(|log| log.read(topic, partition, offset, max_bytes))
            })
            .or_raise()?;
        let name = PyString::new(py, topic).unbind();
        Ok(records
            .iter()
            .map(|r| convert::record(py, &name, partition, r))
            .collect())
    }

    /// The first offset with a timestamp at or after `timestamp_ms`, or `None`.
    fn offset_for_timestamp(
        &self,
        py: Python<'_>,
        topic: &str,
        partition: u32,
        timestamp_ms: i64,
    ) -> PyResult<Option<i64>> {
        py.detach(|| {
            self.shared
                .with(|log| log.offset_for_timestamp(topic, partition, timestamp_ms))
        })
        .or_raise()
    }

    /// Makes every appended record durable.
    fn sync(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.shared.with(|log| log.sync())).or_raise()
    }

    /// Syncs and closes the log; later calls on it, its producers and consumers raise
    /// `Closed`.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.shared.close().map(drop)).or_raise()
    }

    /// Whether `close` has been called.
    #[getter]
    fn closed(&self, py: Python<'_>) -> bool {
        py.detach(|| self.shared.with(|_| Ok(())).is_err())
    }
}
