//! The log: topics of partitioned, segmented, checksummed batches over a [`Storage`].
//!
//! [`Log`] is the engine's entry point; the producer, the consumer and the bindings build on
//! it. It is synchronous and takes `&mut self` to write and `&self` to read, so callers choose
//! how to share it (the bindings put it behind a lock).
//!
//! Layout in storage (docs/FORMAT.md has every byte):
//! `mqlite.meta` (format version), `topics/<topic>.topic` (config), and per partition a
//! directory `<topic>-<partition>/` of segments `<base offset>.log`, `.index`, `.timeindex`.
//!
//! Opening recovers every partition (see [`segment::Segment::recover`]). A topic is created by
//! writing and syncing its metadata file; until then it does not exist. A topic is deleted by
//! removing its metadata file first, then its segments; leftovers of an interrupted delete are
//! ignored on open and cleared if a topic of the same name is created again.

pub mod index;
mod metadata_file;
pub mod partition;
mod producer_ids;
pub mod producer_state;
pub mod reader;
pub mod repair;
pub mod segment;
pub mod topic;
mod wakers;
pub mod walk;

use crate::clock::Clock;
use crate::encoding::batch::Batch;
use crate::encoding::cursor::Cursor;
use crate::encoding::record::{LogRecord, Record};
use crate::error::{Error, Result};
use crate::format_version::FormatVersion;
use crate::storage::{MemoryStorage, Storage, read_up_to, write_new_file};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
pub use partition::{AppendInfo, AppendOptions, Partition};
use producer_ids::ProducerIds;
pub use producer_ids::{PRODUCER_IDS_BLOCK, PRODUCER_IDS_ENTRY_BYTES, PRODUCER_IDS_FILE_NAME};
pub use repair::RepairAction;
pub use topic::{TopicConfig, validate_topic_name};

/// The log's own metadata file.
pub const META_FILE_NAME: &str = "mqlite.meta";
/// Bytes of `mqlite.meta`.
pub const META_FILE_BYTES: usize = 12;
const META_MAGIC: &[u8; 4] = b"MQLT";

/// How to open a log.
#[derive(Clone)]
pub struct LogOptions {
    /// Where time comes from.
    pub clock: Arc<dyn Clock>,
    /// Open without writing anything: no recovery truncation, every write fails `ReadOnly`.
    pub read_only: bool,
}

impl core::fmt::Debug for LogOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LogOptions")
            .field("read_only", &self.read_only)
            .finish_non_exhaustive()
    }
}

impl LogOptions {
    /// Options with `clock`, writable.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            read_only: false,
        }
    }
}

#[cfg(feature = "std")]
impl Default for LogOptions {
    fn default() -> Self {
        Self::with_clock(Arc::new(crate::clock::SystemClock))
    }
}

/// One partition's numbers, as `describe` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionInfo {
    /// The partition number.
    pub partition: u32,
    /// The first offset still stored.
    pub log_start_offset: i64,
    /// The offset the next record will get.
    pub high_watermark: i64,
    /// Bytes stored.
    pub size_bytes: u64,
    /// Number of segments.
    pub segments: usize,
}

/// A topic's config and partitions, as `describe` reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicDescription {
    /// The topic's name.
    pub name: String,
    /// Its config.
    pub config: TopicConfig,
    /// Its partitions, in order.
    pub partitions: Vec<PartitionInfo>,
}

#[derive(Debug)]
struct Topic {
    config: TopicConfig,
    partitions: Vec<Partition>,
    /// Unique among the topics this `Log` has had, so a topic deleted and created again under
    /// the same name is told apart.
    generation: u64,
}

/// An open log. See the module docs.
pub struct Log<S: Storage> {
    storage: S,
    clock: Arc<dyn Clock>,
    read_only: bool,
    topics: BTreeMap<String, Topic>,
    next_generation: u64,
    wakers: wakers::AppendWakers,
    /// Read on the first `init_producer_id`.
    producer_ids: Option<ProducerIds>,
}

impl<S: Storage> core::fmt::Debug for Log<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Log")
            .field("read_only", &self.read_only)
            .field("topics", &self.topics.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn encode_meta() -> Vec<u8> {
    let mut body = Vec::with_capacity(META_FILE_BYTES);
    body.extend_from_slice(META_MAGIC);
    body.push(FormatVersion::CURRENT.as_u8());
    body.extend_from_slice(&[0, 0, 0]);
    metadata_file::seal(body)
}

/// `Ok(None)` for a torn meta file (a log whose creation never finished).
fn decode_meta(bytes: &[u8]) -> Result<Option<FormatVersion>> {
    let Some(body) = metadata_file::checked_body(bytes, META_FILE_BYTES, META_FILE_NAME)? else {
        return Ok(None);
    };
    let corrupt = |reason: &str| Error::corrupt(META_FILE_NAME, 0, reason);
    let mut cursor = Cursor::new(body);
    if cursor.take(4).ok() != Some(&META_MAGIC[..]) {
        return Err(corrupt("not an mqlite metadata file"));
    }
    // The version first: a later version may give the reserved bytes a meaning.
    let version = FormatVersion::parse(
        cursor.u8().map_err(|_| corrupt("truncated"))?,
        META_FILE_NAME,
    )?;
    if cursor.take(3).ok() != Some(&[0, 0, 0][..]) {
        return Err(corrupt("reserved bytes are not zero"));
    }
    Ok(Some(version))
}

impl Log<MemoryStorage> {
    /// A new, empty log in memory.
    pub fn in_memory(options: LogOptions) -> Result<Self> {
        Self::open(MemoryStorage::new(), options)
    }
}

#[cfg(feature = "std")]
impl Log<crate::storage::FileStorage> {
    /// Opens the log in directory `path`, creating it if it does not exist or is empty, and
    /// takes the writer lock (a second writer gets `LogLocked`).
    pub fn open_dir(path: impl AsRef<std::path::Path>, options: LogOptions) -> Result<Self> {
        let storage = dir_storage(path.as_ref(), &options)?;
        Self::open(storage, options)
    }
}

/// The files of the log in `path`, for writing (with the lock) or reading as `options` say.
#[cfg(feature = "std")]
fn dir_storage(
    path: &std::path::Path,
    options: &LogOptions,
) -> Result<crate::storage::FileStorage> {
    check_is_log_dir(path)?;
    if options.read_only {
        crate::storage::FileStorage::open_read_only(path)
    } else {
        crate::storage::FileStorage::open(path)
    }
}

#[cfg(feature = "std")]
impl Log<alloc::boxed::Box<dyn Storage>> {
    /// The log in directory `path` as [`Log::open_dir`] opens it, or with no path an
    /// in-memory log, behind one storage type: what the bindings hold.
    pub fn open_boxed(path: Option<&std::path::Path>, options: LogOptions) -> Result<Self> {
        let storage: alloc::boxed::Box<dyn Storage> = match path {
            None => alloc::boxed::Box::new(MemoryStorage::new()),
            Some(path) => alloc::boxed::Box::new(dir_storage(path, &options)?),
        };
        Self::open(storage, options)
    }
}

#[cfg(feature = "std")]
impl Log<crate::storage::FileStorage> {
    /// Repairs the log in directory `path` (taking the writer lock): each partition is cut
    /// back to its last valid batch before the first damage, and the cuts are returned. Opening
    /// afterwards succeeds. See [`repair`].
    pub fn repair_dir(path: impl AsRef<std::path::Path>) -> Result<Vec<RepairAction>> {
        let path = path.as_ref();
        check_is_log_dir(path)?;
        let mut storage = crate::storage::FileStorage::open(path)?;
        repair::repair(&mut storage)
    }
}

/// Refuses a directory that holds files but no `mqlite.meta`, before anything is written there.
#[cfg(feature = "std")]
fn check_is_log_dir(path: &std::path::Path) -> Result<()> {
    use alloc::string::ToString;
    let Ok(mut entries) = std::fs::read_dir(path) else {
        return Ok(());
    };
    let has_meta = path.join(META_FILE_NAME).exists();
    let others = entries.any(|e| e.is_ok_and(|e| e.file_name() != crate::storage::LOCK_FILE_NAME));
    if others && !has_meta {
        return Err(Error::NotALog {
            path: path.display().to_string(),
        });
    }
    Ok(())
}

fn partition_not_found(topic: &str, partition: u32, config: &TopicConfig) -> Error {
    Error::PartitionNotFound {
        topic: topic.into(),
        partition,
        partitions: config.partitions,
    }
}

impl<S: Storage> Log<S> {
    /// Opens the log held by `storage`, recovering every partition; an empty store becomes a
    /// new log (unless read-only).
    pub fn open(mut storage: S, options: LogOptions) -> Result<Self> {
        let writable = !options.read_only;
        let names = storage.list()?;
        let meta = if names.iter().any(|n| n == META_FILE_NAME) {
            decode_meta(&read_up_to(
                &storage,
                META_FILE_NAME,
                0,
                META_FILE_BYTES + 1,
            )?)?
        } else {
            None
        };
        if meta.is_none() {
            let only_torn_meta = names.iter().all(|n| n == META_FILE_NAME);
            if !only_torn_meta || !writable {
                return Err(Error::NotALog {
                    path: String::from("(storage root)"),
                });
            }
            if !names.is_empty() {
                storage.remove(META_FILE_NAME)?;
            }
            write_new_file(&mut storage, META_FILE_NAME, &encode_meta())?;
        }
        let mut topics = BTreeMap::new();
        for (topic_name, file, config) in topic::stored_topics(&storage, &names)? {
            let Some(config) = config else {
                if writable {
                    storage.remove(&file)?; // a create that never finished
                }
                continue;
            };
            let mut partitions = Vec::with_capacity(config.partitions as usize);
            for p in 0..config.partitions {
                let dir = topic::partition_dir(&topic_name, p);
                partitions.push(Partition::open(
                    &mut storage,
                    &dir,
                    &names,
                    &config,
                    writable,
                )?);
            }
            let generation = topics.len() as u64;
            let topic = Topic {
                config,
                partitions,
                generation,
            };
            topics.insert(topic_name, topic);
        }
        Ok(Self {
            storage,
            clock: options.clock,
            read_only: options.read_only,
            next_generation: topics.len() as u64,
            topics,
            wakers: wakers::AppendWakers::default(),
            producer_ids: None,
        })
    }

    fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(Error::ReadOnly)
        } else {
            Ok(())
        }
    }

    fn topic(&self, name: &str) -> Result<&Topic> {
        self.topics
            .get(name)
            .ok_or_else(|| Error::TopicNotFound { topic: name.into() })
    }

    fn partition(&self, topic: &str, partition: u32) -> Result<(&TopicConfig, &Partition)> {
        let t = self.topic(topic)?;
        let p = t
            .partitions
            .get(partition as usize)
            .ok_or_else(|| partition_not_found(topic, partition, &t.config))?;
        Ok((&t.config, p))
    }

    /// A partition to write, with its topic's config and the storage (disjoint borrows).
    fn partition_mut(
        &mut self,
        topic: &str,
        partition: u32,
    ) -> Result<(&TopicConfig, &mut Partition, &mut S)> {
        self.writable()?;
        let Some(Topic {
            config, partitions, ..
        }) = self.topics.get_mut(topic)
        else {
            return Err(Error::TopicNotFound {
                topic: topic.into(),
            });
        };
        let p = partitions
            .get_mut(partition as usize)
            .ok_or_else(|| partition_not_found(topic, partition, config))?;
        Ok((config, p, &mut self.storage))
    }

    /// Creates a topic; durable when this returns.
    pub fn create_topic(&mut self, name: &str, config: TopicConfig) -> Result<()> {
        self.writable()?;
        validate_topic_name(name)?;
        config.validate()?;
        if self.topics.contains_key(name) {
            return Err(Error::TopicExists { topic: name.into() });
        }
        // Names differing only in case would share files on case-insensitive file systems
        // (macOS's and Windows' defaults), so they are refused everywhere.
        if self.topics.keys().any(|t| t.eq_ignore_ascii_case(name)) {
            return Err(Error::InvalidTopicName {
                topic: name.into(),
                reason: "differs from an existing topic only in case",
            });
        }
        // Clear what an interrupted create or delete of a topic of this name left behind:
        // its metadata file (a create whose sync failed) and its partitions' files.
        let meta_file = topic::meta_file_name(name);
        let leftovers: Vec<String> = self
            .storage
            .list()?
            .into_iter()
            .filter(|n| {
                *n == meta_file
                    || n.split_once('/')
                        .and_then(|(dir, _)| dir.rsplit_once('-'))
                        .is_some_and(|(t, p)| t == name && p.parse::<u32>().is_ok())
            })
            .collect();
        for leftover in &leftovers {
            self.storage.remove(leftover)?;
        }
        write_new_file(&mut self.storage, &meta_file, &config.encode())?;
        let partitions = (0..config.partitions)
            .map(|p| {
                Partition::open(
                    &mut self.storage,
                    &topic::partition_dir(name, p),
                    &[],
                    &config,
                    true,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let generation = self.next_generation;
        self.next_generation += 1;
        let topic = Topic {
            config,
            partitions,
            generation,
        };
        self.topics.insert(name.into(), topic);
        Ok(())
    }

    /// Deletes a topic and all its records.
    pub fn delete_topic(&mut self, name: &str) -> Result<()> {
        self.writable()?;
        // Gone from memory first: whatever the files do next, no append is acknowledged to a
        // topic being deleted.
        let Some(topic) = self.topics.remove(name) else {
            return Err(Error::TopicNotFound { topic: name.into() });
        };
        self.wakers.wake_topic(name);
        self.storage.remove(&topic::meta_file_name(name))?;
        let names = self.storage.list()?;
        for partition in &topic.partitions {
            partition.remove_files(&mut self.storage, &names)?;
        }
        Ok(())
    }

    /// The topics' names, sorted.
    pub fn topics(&self) -> Vec<String> {
        self.topics.keys().cloned().collect()
    }

    /// A topic's config and its partitions' offsets and sizes.
    pub fn describe(&self, name: &str) -> Result<TopicDescription> {
        let topic = self.topic(name)?;
        let partitions = topic
            .partitions
            .iter()
            .enumerate()
            .map(|(i, p)| PartitionInfo {
                partition: i as u32,
                log_start_offset: p.log_start_offset(),
                high_watermark: p.high_watermark(),
                size_bytes: p.size_bytes(),
                segments: p.segments().len(),
            })
            .collect();
        Ok(TopicDescription {
            name: name.into(),
            config: topic.config,
            partitions,
        })
    }

    /// A topic's config.
    pub fn topic_config(&self, name: &str) -> Result<TopicConfig> {
        Ok(self.topic(name)?.config)
    }

    /// The first offset still stored in a partition.
    pub fn log_start_offset(&self, topic: &str, partition: u32) -> Result<i64> {
        Ok(self.partition(topic, partition)?.1.log_start_offset())
    }

    /// A number that stays the same while a topic exists and differs once it is deleted and
    /// created again under the same name (within this open log): what state kept per topic
    /// outside the log is keyed by.
    pub fn topic_generation(&self, name: &str) -> Result<u64> {
        Ok(self.topic(name)?.generation)
    }

    /// The offset the next record appended to a partition will get.
    pub fn high_watermark(&self, topic: &str, partition: u32) -> Result<i64> {
        Ok(self.partition(topic, partition)?.1.high_watermark())
    }

    /// Appends `records` to a partition as one batch; returns the offsets it took.
    pub fn append(
        &mut self,
        topic: &str,
        partition: u32,
        records: &[Record],
    ) -> Result<AppendInfo> {
        self.append_with(topic, partition, records, &AppendOptions::default())
    }

    /// Appends with producer fields and flags (idempotence, transactions).
    pub fn append_with(
        &mut self,
        topic: &str,
        partition: u32,
        records: &[Record],
        options: &AppendOptions,
    ) -> Result<AppendInfo> {
        let now_ms = self.clock.now_ms();
        let (config, p, storage) = self.partition_mut(topic, partition)?;
        let tp = (topic, partition);
        if let Some(stored) =
            p.check_sequence(storage, tp, config, options.producer, records.len())?
        {
            return Ok(stored);
        }
        let rolls_before = p.segments().len();
        let info = p.append(storage, config, records, options, now_ms)?;
        if p.segments().len() > rolls_before
            && (config.retention_ms.is_some() || config.retention_bytes.is_some())
        {
            // A roll made a segment eligible: apply retention now, as Kafka's cleaner would soon.
            // Best effort: the batch is stored, so the append must not report failure (a
            // retry would store it twice); `enforce_retention` reports what this skips.
            let _ = p.enforce_retention(storage, config, now_ms);
        }
        self.wakers.wake(topic, partition);
        Ok(info)
    }

    /// How many wakers wait for the next append to a partition.
    pub fn wakers_waiting(&self, topic: &str, partition: u32) -> usize {
        self.wakers.waiting(topic, partition)
    }

    /// Wakes `waker` once, at the next append to the partition (or when its topic is
    /// deleted): how consumers wait for new records without polling in a loop. Register again
    /// after each wake to keep waiting.
    pub fn wake_on_append(
        &mut self,
        topic: &str,
        partition: u32,
        waker: &core::task::Waker,
    ) -> Result<()> {
        self.partition(topic, partition)?;
        self.wakers.register(topic, partition, waker);
        Ok(())
    }

    /// Whole batches of a partition, from the one holding `offset`, up to `max_bytes` (at
    /// least one batch if any is stored at or after `offset`).
    pub fn read_batches(
        &self,
        topic: &str,
        partition: u32,
        offset: i64,
        max_bytes: usize,
    ) -> Result<Vec<Batch>> {
        self.partition(topic, partition)?
            .1
            .read(&self.storage, offset, max_bytes, usize::MAX)
    }

    /// Records of a partition from `offset` on, in whole batches up to `max_bytes`.
    ///
    /// `offset` may be anywhere in `[log start, high watermark]`; at the high watermark the
    /// answer is empty, outside it `OffsetOutOfRange`.
    pub fn read(
        &self,
        topic: &str,
        partition: u32,
        offset: i64,
        max_bytes: usize,
    ) -> Result<Vec<LogRecord>> {
        self.read_records(topic, partition, offset, max_bytes, usize::MAX)
    }

    /// [`Self::read`], but batches stop once they hold `max_records` records from `offset`
    /// on (whole batches, so a few more may come back): what a consumer's poll reads, so it
    /// does not decode what it will not hand out.
    pub fn read_records(
        &self,
        topic: &str,
        partition: u32,
        offset: i64,
        max_bytes: usize,
        max_records: usize,
    ) -> Result<Vec<LogRecord>> {
        let batches = self.partition(topic, partition)?.1.read(
            &self.storage,
            offset,
            max_bytes,
            max_records,
        )?;
        Ok(batches
            .into_iter()
            .flat_map(|b| b.records)
            .filter(|r| r.offset >= offset)
            .collect())
    }

    /// The first offset at or after `timestamp_ms` (Kafka's `offsetsForTimes`), `None` if all
    /// records are older.
    pub fn offset_for_timestamp(
        &self,
        topic: &str,
        partition: u32,
        timestamp_ms: i64,
    ) -> Result<Option<i64>> {
        self.partition(topic, partition)?
            .1
            .offset_for_timestamp(&self.storage, timestamp_ms)
    }

    /// Makes every partition's appended batches durable.
    pub fn sync(&mut self) -> Result<()> {
        self.writable()?;
        for topic in self.topics.values_mut() {
            for partition in &mut topic.partitions {
                partition.sync(&mut self.storage)?;
            }
        }
        Ok(())
    }

    /// Makes one partition's appended batches durable.
    pub fn sync_partition(&mut self, topic: &str, partition: u32) -> Result<()> {
        let (_, p, storage) = self.partition_mut(topic, partition)?;
        p.sync(storage)
    }

    /// A producer id that no other producer of this log has had or will have, across reopens
    /// too (Kafka's `InitProducerId`): what an idempotent producer stamps on its batches.
    pub fn init_producer_id(&mut self) -> Result<i64> {
        self.writable()?;
        let ids = match &mut self.producer_ids {
            Some(ids) => ids,
            None => self.producer_ids.insert(ProducerIds::load(&self.storage)?),
        };
        ids.allocate(&mut self.storage)
    }

    /// Starts a sync of one partition that can finish after the log is unlocked: returns the
    /// offset below which everything will be durable, and the job that finishes the sync (none
    /// when it is already done). [`crate::shared::SharedLog`] uses it for group commit.
    pub fn detached_sync_partition(
        &mut self,
        topic: &str,
        partition: u32,
    ) -> Result<(i64, Option<crate::storage::DetachedSync>)> {
        let (_, p, storage) = self.partition_mut(topic, partition)?;
        p.detached_sync(storage)
    }

    /// Records that a sync of a partition finished by a [`Self::detached_sync_partition`] job
    /// failed: every later sync of it fails too, until the log is reopened.
    pub fn note_sync_failure(&mut self, topic: &str, partition: u32, error: &Error) -> Result<()> {
        let (_, p, _) = self.partition_mut(topic, partition)?;
        p.note_sync_failure(error);
        Ok(())
    }

    /// Seals the active segment of a partition and starts a new one.
    pub fn roll(&mut self, topic: &str, partition: u32) -> Result<()> {
        let (_, p, storage) = self.partition_mut(topic, partition)?;
        p.roll(storage)
    }

    /// Deletes sealed segments past each topic's retention; returns how many went.
    pub fn enforce_retention(&mut self) -> Result<usize> {
        self.writable()?;
        let now_ms = self.clock.now_ms();
        let mut removed = 0;
        for topic in self.topics.values_mut() {
            for partition in &mut topic.partitions {
                removed += partition.enforce_retention(&mut self.storage, &topic.config, now_ms)?;
            }
        }
        Ok(removed)
    }

    /// Syncs everything and closes the log, returning its storage.
    pub fn close(mut self) -> Result<S> {
        if !self.read_only {
            self.sync()?;
        }
        Ok(self.storage)
    }

    /// The storage, as it is (no sync): for tests that cut the power.
    pub fn into_storage(self) -> S {
        self.storage
    }

    /// Now, by the log's clock (what log-append time and producers' default timestamps use).
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The storage, for inspection.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// The store, mutably: for a host that drains [`crate::JournalStorage`]'s changes. Writing
    /// to the log's files through it, behind the engine's back, breaks the log.
    pub fn storage_mut(&mut self) -> &mut S {
        &mut self.storage
    }
}
