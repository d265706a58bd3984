//! The log for JS: loading persisted files, the log's own calls, and the changes the JS
//! storage adapter persists.

use crate::clock::JsClock;
use crate::errors::{JsResult, closed, js, to_js};
use crate::numbers;
use mqlite::storage::Change;
use mqlite::{Compression, JournalStorage, Log, LogOptions, TimestampType, TopicConfig};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

/// The log shared by a [`NativeLog`] and the producers and consumers made on it; `None` once
/// closed.
pub type SharedLog = Rc<RefCell<Option<Log<JournalStorage>>>>;

/// Runs `f` on the open log; `Closed` after `close`, and an error (not a panic) if the log is
/// somehow borrowed already.
pub fn with_log<R>(
    log: &SharedLog,
    f: impl FnOnce(&mut Log<JournalStorage>) -> mqlite::Result<R>,
) -> JsResult<R> {
    let mut guard = log.try_borrow_mut().map_err(|_| {
        to_js(&mqlite::Error::Io {
            op: "borrow",
            path: String::new(),
            message: "the log is in use by another call".into(),
        })
    })?;
    let log = guard.as_mut().ok_or_else(closed)?;
    js(f(log))
}

/// The files a storage adapter read back, gathered before the log opens over them.
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct LogLoader {
    files: BTreeMap<String, Vec<u8>>,
}

#[wasm_bindgen]
impl LogLoader {
    /// No files yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a persisted file: `name` is its `/`-separated path in the log.
    #[wasm_bindgen(js_name = addFile)]
    pub fn add_file(&mut self, name: String, bytes: Vec<u8>) {
        self.files.insert(name, bytes);
    }

    /// Opens the log over the files, recovering exactly as from a directory (a torn tail is
    /// cut, and the cut is among the first changes to persist).
    pub fn open(self, read_only: bool) -> JsResult<NativeLog> {
        let storage = JournalStorage::from_persisted(self.files);
        let mut options = LogOptions::with_clock(Arc::new(JsClock));
        options.read_only = read_only;
        let log = js(Log::open(storage, options))?;
        Ok(NativeLog {
            log: Rc::new(RefCell::new(Some(log))),
        })
    }
}

/// Changes to persist: JS reads each by index.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Changes {
    changes: Vec<Change>,
}

#[wasm_bindgen]
impl Changes {
    /// How many changes.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.changes.len()
    }

    /// `"write"`, `"truncate"` or `"remove"`; `""` past the end.
    pub fn kind(&self, index: usize) -> String {
        match self.changes.get(index) {
            Some(Change::Write { .. }) => "write",
            Some(Change::Truncate { .. }) => "truncate",
            Some(Change::Remove { .. }) => "remove",
            None => "",
        }
        .into()
    }

    /// The file the change is to.
    pub fn name(&self, index: usize) -> String {
        match self.changes.get(index) {
            Some(
                Change::Write { name, .. }
                | Change::Truncate { name, .. }
                | Change::Remove { name },
            ) => name.clone(),
            None => String::new(),
        }
    }

    /// Where a write goes, or the length a truncation cuts to.
    pub fn position(&self, index: usize) -> f64 {
        match self.changes.get(index) {
            Some(Change::Write { position, .. }) => *position as f64,
            Some(Change::Truncate { len, .. }) => *len as f64,
            _ => 0.0,
        }
    }

    /// A write's bytes, copied out to JS.
    pub fn bytes(&self, index: usize) -> Vec<u8> {
        match self.changes.get(index) {
            Some(Change::Write { bytes, .. }) => bytes.clone(),
            _ => Vec::new(),
        }
    }
}

/// An open log.
#[wasm_bindgen]
#[derive(Debug)]
pub struct NativeLog {
    pub(crate) log: SharedLog,
}

#[wasm_bindgen]
impl NativeLog {
    /// An empty in-memory log (JS `open()` with no name).
    #[wasm_bindgen(js_name = inMemory)]
    pub fn in_memory() -> JsResult<NativeLog> {
        LogLoader::new().open(false)
    }

    /// Creates a topic. Settings left `undefined` take the core's defaults.
    #[wasm_bindgen(js_name = createTopic)]
    #[allow(
        clippy::too_many_arguments,
        reason = "Kafka's topic settings, by position"
    )]
    pub fn create_topic(
        &self,
        name: &str,
        partitions: f64,
        compression: Option<String>,
        timestamp_type: Option<String>,
        retention_ms: Option<f64>,
        retention_bytes: Option<f64>,
        segment_bytes: Option<f64>,
    ) -> JsResult<()> {
        with_log(&self.log, |log| {
            let mut config = TopicConfig {
                partitions: numbers::small("partitions", partitions)?,
                ..TopicConfig::default()
            };
            if let Some(name) = compression {
                config.compression = Compression::from_name(&name)?;
            }
            if let Some(name) = timestamp_type {
                config.timestamp_type = TimestampType::from_name(&name)?;
            }
            config.retention_ms = retention_ms
                .map(|v| numbers::millis("retention_ms", v))
                .transpose()?;
            config.retention_bytes = retention_bytes
                .map(|v| numbers::whole("retention_bytes", v))
                .transpose()?;
            if let Some(v) = segment_bytes {
                config.segment_bytes = numbers::whole("segment_bytes", v)?;
            }
            log.create_topic(name, config)
        })
    }

    /// Deletes a topic and its records.
    #[wasm_bindgen(js_name = deleteTopic)]
    pub fn delete_topic(&self, name: &str) -> JsResult<()> {
        with_log(&self.log, |log| log.delete_topic(name))
    }

    /// The topics' names, sorted.
    pub fn topics(&self) -> JsResult<Vec<String>> {
        with_log(&self.log, |log| Ok(log.topics()))
    }

    /// A topic's settings and partitions as a plain object: `{name, partitions, compression,
    /// timestampType, retentionMs, retentionBytes, segmentBytes, partitionInfo: [{partition,
    /// logStartOffset, highWatermark, sizeBytes, segments}]}`, offsets as `bigint`.
    pub fn describe(&self, name: &str) -> JsResult<JsValue> {
        let description = with_log(&self.log, |log| log.describe(name))?;
        let config = &description.config;
        let object = js_sys::Object::new();
        let set = |target: &js_sys::Object, key: &str, value: JsValue| {
            // Defining a property on a plain object cannot fail.
            let _ = js_sys::Reflect::set(target, &key.into(), &value);
        };
        set(&object, "name", description.name.as_str().into());
        set(&object, "partitions", config.partitions.into());
        set(&object, "compression", config.compression.name().into());
        set(
            &object,
            "timestampType",
            config.timestamp_type.name().into(),
        );
        set(
            &object,
            "retentionMs",
            config
                .retention_ms
                .map_or(JsValue::NULL, |v| (v as f64).into()),
        );
        set(
            &object,
            "retentionBytes",
            config
                .retention_bytes
                .map_or(JsValue::NULL, |v| (v as f64).into()),
        );
        set(
            &object,
            "segmentBytes",
            (config.segment_bytes as f64).into(),
        );
        let infos = js_sys::Array::new();
        for info in &description.partitions {
            let entry = js_sys::Object::new();
            set(&entry, "partition", info.partition.into());
            set(&entry, "logStartOffset", info.log_start_offset.into());
            set(&entry, "highWatermark", info.high_watermark.into());
            set(&entry, "sizeBytes", (info.size_bytes as f64).into());
            set(&entry, "segments", (info.segments as f64).into());
            infos.push(&entry);
        }
        set(&object, "partitionInfo", infos.into());
        Ok(object.into())
    }

    /// How many partitions `topic` has.
    #[wasm_bindgen(js_name = partitionCount)]
    pub fn partition_count(&self, topic: &str) -> JsResult<u32> {
        with_log(&self.log, |log| Ok(log.topic_config(topic)?.partitions))
    }

    /// The offset the next record appended to the partition will get.
    #[wasm_bindgen(js_name = highWatermark)]
    pub fn high_watermark(&self, topic: &str, partition: u32) -> JsResult<i64> {
        with_log(&self.log, |log| log.high_watermark(topic, partition))
    }

    /// The first offset still stored in the partition.
    #[wasm_bindgen(js_name = logStartOffset)]
    pub fn log_start_offset(&self, topic: &str, partition: u32) -> JsResult<i64> {
        with_log(&self.log, |log| log.log_start_offset(topic, partition))
    }

    /// Deletes the segments retention no longer keeps; returns how many.
    #[wasm_bindgen(js_name = enforceRetention)]
    pub fn enforce_retention(&self) -> JsResult<usize> {
        with_log(&self.log, |log| log.enforce_retention())
    }

    /// Whether anything changed since the last take.
    #[wasm_bindgen(js_name = hasChanges)]
    pub fn has_changes(&self) -> JsResult<bool> {
        with_log(&self.log, |log| Ok(log.storage().has_changes()))
    }

    /// What changed since the last take, for the storage adapter to persist; then
    /// `confirmChanges` or `abandonChanges`.
    #[wasm_bindgen(js_name = takeChanges)]
    pub fn take_changes(&self) -> JsResult<Changes> {
        with_log(&self.log, |log| {
            log.storage_mut()
                .take_changes()
                .map(|changes| Changes { changes })
        })
    }

    /// The adapter persisted the last take.
    #[wasm_bindgen(js_name = confirmChanges)]
    pub fn confirm_changes(&self) -> JsResult<()> {
        with_log(&self.log, |log| {
            log.storage_mut().confirm_changes();
            Ok(())
        })
    }

    /// The adapter failed to persist the last take; the next take sends it again.
    #[wasm_bindgen(js_name = abandonChanges)]
    pub fn abandon_changes(&self) -> JsResult<()> {
        with_log(&self.log, |log| {
            log.storage_mut().abandon_changes();
            Ok(())
        })
    }

    /// Whether `close` has run.
    #[wasm_bindgen(getter)]
    pub fn closed(&self) -> bool {
        self.log.try_borrow().is_ok_and(|log| log.is_none())
    }

    /// Closes the log: every later call on it, or on a producer or consumer made on it, is
    /// `Closed`. The JS side persists the last changes first.
    pub fn close(&self) -> JsResult<()> {
        let mut guard = self.log.try_borrow_mut().map_err(|_| closed())?;
        guard.take();
        Ok(())
    }
}
