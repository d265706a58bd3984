//! Threads sharing one log and one producer: group commit (counted syncs on real files),
//! exact offsets under contention, acknowledged records surviving a power cut, a failed sync
//! never acknowledged, and blocking consumer polls woken by appends.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

use mqlite::storage::{DetachedSync, FaultStorage};
use mqlite::{
    Consumer, ConsumerConfig, Durability, ErrorCode, FileStorage, Log, LogOptions, MemoryStorage,
    ProducerConfig, ProducerRecord, Result, SharedLog, SharedProducer, Storage, TopicConfig,
};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// Real files, counting the syncs of segment files (however they are made) and making each
/// one take a few milliseconds, as a slow disk would, so the threads of a round meet.
struct CountingStorage {
    files: FileStorage,
    segment_syncs: Arc<AtomicU64>,
}

const SLOW_SYNC: Duration = Duration::from_millis(3);

impl CountingStorage {
    /// Counting storage over files in `dir`, and its count of segment syncs.
    fn open(dir: &std::path::Path) -> (Self, Arc<AtomicU64>) {
        let segment_syncs = Arc::new(AtomicU64::new(0));
        let files = FileStorage::open(dir).unwrap();
        let storage = Self {
            files,
            segment_syncs: Arc::clone(&segment_syncs),
        };
        (storage, segment_syncs)
    }

    fn counted(&self, name: &str) -> Option<Arc<AtomicU64>> {
        name.ends_with(".log")
            .then(|| Arc::clone(&self.segment_syncs))
    }
}

impl Storage for CountingStorage {
    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<u64> {
        self.files.append(name, bytes)
    }
    fn read_at(&self, name: &str, position: u64, buf: &mut [u8]) -> Result<usize> {
        self.files.read_at(name, position, buf)
    }
    fn len(&self, name: &str) -> Result<u64> {
        self.files.len(name)
    }
    fn truncate(&mut self, name: &str, len: u64) -> Result<()> {
        self.files.truncate(name, len)
    }
    fn sync(&mut self, name: &str) -> Result<()> {
        if let Some(count) = self.counted(name) {
            count.fetch_add(1, Ordering::SeqCst);
            thread::sleep(SLOW_SYNC);
        }
        self.files.sync(name)
    }
    fn list(&self) -> Result<Vec<String>> {
        self.files.list()
    }
    fn remove(&mut self, name: &str) -> Result<()> {
        self.files.remove(name)
    }
    fn detached_sync(&mut self, name: &str) -> Result<Option<DetachedSync>> {
        let job = self.files.detached_sync(name)?;
        let Some(count) = self.counted(name) else {
            return Ok(job);
        };
        Ok(Some(Box::new(move || {
            count.fetch_add(1, Ordering::SeqCst);
            thread::sleep(SLOW_SYNC);
            job.map_or(Ok(()), |job| job())
        })))
    }
}

/// A shared log on `storage` with topic `t` of `partitions` partitions.
fn with_topic<S: Storage>(storage: S, partitions: u32) -> SharedLog<S> {
    let log = SharedLog::new(Log::open(storage, LogOptions::default()).unwrap());
    log.with(|log| log.create_topic("t", TopicConfig::with_partitions(partitions)))
        .unwrap();
    log
}

fn fsync_producer<S: Storage>(log: &SharedLog<S>) -> SharedProducer<S> {
    SharedProducer::new(
        log.clone(),
        ProducerConfig {
            linger_ms: 0,
            durability: Durability::Fsync,
            retry_backoff_ms: 1, // the power cut test's retries all fail
            ..ProducerConfig::default()
        },
    )
}

/// Runs `threads` threads for `rounds` rounds; in each round every thread sends one record and
/// waits for it, all starting together. Returns every thread's acknowledged offsets.
fn send_in_rounds<S: Storage + 'static>(
    producer: &SharedProducer<S>,
    threads: usize,
    rounds: usize,
) -> Vec<Result<i64>> {
    let barrier = Arc::new(Barrier::new(threads));
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (producer, barrier) = (producer.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                (0..rounds)
                    .map(|r| {
                        barrier.wait();
                        let record = ProducerRecord::with_value(format!("t{t} r{r}"));
                        producer.send_and_wait("t", record).map(|m| m.offset)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect()
}

#[test]
fn threads_sending_at_once_share_syncs_and_get_exact_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, segment_syncs) = CountingStorage::open(dir.path());
    let log = with_topic(storage, 1);
    let (threads, rounds) = (8, 25);
    let offsets: BTreeSet<i64> = send_in_rounds(&fsync_producer(&log), threads, rounds)
        .into_iter()
        .map(|o| o.unwrap())
        .collect();

    let sent = (threads * rounds) as i64;
    assert_eq!(
        offsets,
        (0..sent).collect(),
        "every send has its own offset"
    );
    let syncs = segment_syncs.load(Ordering::SeqCst);
    // One sync per send would be `sent`; a shared sync covers the threads of a round, give or
    // take the stragglers that arrive while it runs and share the next one.
    assert!(
        syncs <= 3 * rounds as u64,
        "{syncs} syncs for {sent} sends in {rounds} rounds"
    );
    drop(log.close().unwrap());
    let log = Log::open_dir(dir.path(), LogOptions::default()).unwrap();
    assert_eq!(log.high_watermark("t", 0).unwrap(), sent);
}

#[test]
fn every_acknowledged_record_survives_a_power_cut() {
    for cut_after in [15, 40, 80] {
        let mut storage = FaultStorage::new();
        storage.cut_power_after(cut_after);
        let log = with_topic(storage, 1);
        let acknowledged: Vec<i64> = send_in_rounds(&fsync_producer(&log), 4, 10)
            .into_iter()
            .filter_map(Result::ok)
            .collect();
        assert!(
            !acknowledged.is_empty(),
            "cut after {cut_after}: some sends land"
        );
        let storage = log.take().unwrap().into_storage();
        for seed in 0..6 {
            let image = FaultStorage::from_memory(&storage.crash_image(seed));
            let log = Log::open(image, LogOptions::default()).unwrap();
            let end = log.high_watermark("t", 0).unwrap();
            let lost: Vec<_> = acknowledged.iter().filter(|&&o| o >= end).collect();
            assert!(
                lost.is_empty(),
                "cut {cut_after} seed {seed}: lost {lost:?}"
            );
        }
    }
}

#[test]
fn offsets_a_failed_sync_was_to_cover_are_never_acknowledged() {
    let mut storage = FaultStorage::new();
    storage.fail_once("sync", "00000000000000000000.log", 0, false);
    let log = with_topic(storage, 1);
    let producer = fsync_producer(&log);
    let first = producer.send("t", ProducerRecord::with_value("a")).unwrap();
    let error = producer.wait(first).unwrap_err();
    assert_eq!(error.code(), ErrorCode::Io);
    // The next sync would succeed, but cannot vouch for the first record, and recovery would
    // cut the partition at a lost first batch: nothing more is acknowledged until reopen.
    let later = producer.send("t", ProducerRecord::with_value("b")).unwrap();
    assert_eq!(producer.wait(later).unwrap_err().code(), ErrorCode::Io);
    assert_eq!(
        log.sync_through("t", 0, 2).unwrap_err().code(),
        ErrorCode::Io
    );
    let storage = log.take().unwrap().into_storage();
    let log = Log::open(storage, LogOptions::default()).unwrap();
    assert_eq!(log.high_watermark("t", 0).unwrap(), 2, "both were written");
}

#[test]
fn a_handle_is_waited_for_once() {
    let log = with_topic(MemoryStorage::new(), 1);
    let producer = SharedProducer::new(log.clone(), ProducerConfig::default());
    let handle = producer.send("t", ProducerRecord::with_value("a")).unwrap();
    assert_eq!(producer.wait(handle).unwrap().offset, 0);
    assert_eq!(
        producer.wait(handle).unwrap_err().code(),
        ErrorCode::InvalidRecord
    );
}

#[test]
fn a_closed_shared_log_refuses_every_call() {
    let log = with_topic(MemoryStorage::new(), 1);
    let producer = SharedProducer::new(log.clone(), ProducerConfig::default());
    drop(log.close().unwrap());
    let error = producer
        .send("t", ProducerRecord::with_value("a"))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::Closed);
    assert_eq!(log.close().unwrap_err().code(), ErrorCode::Closed);
}

#[test]
fn a_blocking_poll_wakes_at_the_append_not_the_timeout() {
    let log = with_topic(MemoryStorage::new(), 2);
    let mut consumer = Consumer::new(ConsumerConfig::default());
    log.with(|log| consumer.assign_topics(log, &["t"])).unwrap();
    let writer = {
        let log = log.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            let record = mqlite::Record::with_value("late");
            log.with(|log| log.append("t", 1, &[record])).unwrap();
        })
    };
    let timeout = Duration::from_secs(60);
    let started = Instant::now();
    let records = log.poll_wait(&mut consumer, 10, timeout).unwrap();
    writer.join().unwrap();
    assert_eq!(records.len(), 1);
    assert!(
        started.elapsed() < timeout / 2,
        "woken by the append, not by the timeout"
    );
}

#[test]
fn a_blocking_poll_with_nothing_to_read_returns_empty_after_its_timeout() {
    let log = with_topic(MemoryStorage::new(), 1);
    let mut consumer = Consumer::new(ConsumerConfig::default());
    log.with(|log| consumer.assign_topics(log, &["t"])).unwrap();
    let timeout = Duration::from_millis(30);
    let started = Instant::now();
    let records = log.poll_wait(&mut consumer, 10, timeout).unwrap();
    assert!(records.is_empty());
    assert!(started.elapsed() >= timeout);
}

#[test]
fn a_topic_deleted_and_created_again_is_synced_again() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, segment_syncs) = CountingStorage::open(dir.path());
    let log = SharedLog::new(Log::open(storage, LogOptions::default()).unwrap());
    let create = || log.with(|log| log.create_topic("t", TopicConfig::with_partitions(1)));
    create().unwrap();
    let producer = fsync_producer(&log);
    for i in 0..5 {
        let record = ProducerRecord::with_value(format!("{i}"));
        producer.send_and_wait("t", record).unwrap();
    }
    log.with(|log| log.delete_topic("t")).unwrap();
    create().unwrap();
    let before = segment_syncs.load(Ordering::SeqCst);
    let record = ProducerRecord::with_value("again");
    assert_eq!(producer.send_and_wait("t", record).unwrap().offset, 0);
    assert_eq!(
        segment_syncs.load(Ordering::SeqCst),
        before + 1,
        "offset 0 of the new topic is synced, not taken for the old topic's"
    );
}

#[test]
fn a_failed_sync_fails_every_later_sync_of_the_partition_until_reopen() {
    let mut storage = FaultStorage::new();
    storage.fail_once("sync", "00000000000000000000.log", 0, false);
    let log = with_topic(storage, 1);
    let producer = fsync_producer(&log);
    producer
        .send_and_wait("t", ProducerRecord::with_value("a"))
        .unwrap_err();
    let error = log.with(|log| log.sync()).unwrap_err();
    assert_eq!(
        error.code(),
        ErrorCode::Io,
        "Log::sync does not forget it either"
    );
    let storage = log.take().unwrap().into_storage();
    let mut reopened = Log::open(storage, LogOptions::default()).unwrap();
    reopened.sync().unwrap();
}

#[test]
fn forgetting_a_handle_from_inside_a_partitioner_does_not_deadlock() {
    use std::sync::OnceLock;
    let log = with_topic(MemoryStorage::new(), 2);
    let cell: Arc<OnceLock<(SharedProducer<mqlite::MemoryStorage>, mqlite::SendHandle)>> =
        Arc::default();
    let seen = Arc::clone(&cell);
    let partitioner: mqlite::partitioner::PartitionFn = Arc::new(move |_| {
        // What a binding's finalizer does when it drops a future during the callback.
        if let Some((producer, handle)) = seen.get() {
            producer.forget(*handle).unwrap();
        }
        1
    });
    let config = ProducerConfig {
        partitioner: mqlite::partitioner::Partitioner::Custom(partitioner),
        linger_ms: 0,
        ..ProducerConfig::default()
    };
    let producer = SharedProducer::new(log.clone(), config);
    let first = producer.send("t", ProducerRecord::with_value("a")).unwrap();
    cell.set((producer.clone(), first)).ok().unwrap();
    let (done, finished) = std::sync::mpsc::channel();
    let sender = producer.clone();
    thread::spawn(move || {
        let sent = sender.send_and_wait("t", ProducerRecord::with_value("b"));
        done.send(sent.map(|m| m.offset)).unwrap();
    });
    let offset = finished
        .recv_timeout(Duration::from_secs(20))
        .expect("no deadlock");
    assert_eq!(offset.unwrap(), 1);
    assert_eq!(
        producer.wait(first).unwrap_err().code(),
        ErrorCode::InvalidRecord,
        "the first handle was forgotten"
    );
}

#[test]
fn empty_polls_do_not_pile_up_wakers() {
    let log = with_topic(MemoryStorage::new(), 1);
    let mut consumer = Consumer::new(ConsumerConfig::default());
    log.with(|log| consumer.assign_topics(log, &["t"])).unwrap();
    for _ in 0..200 {
        log.poll_wait(&mut consumer, 10, Duration::from_micros(1))
            .unwrap();
    }
    let waiting = log.with(|log| Ok(log.wakers_waiting("t", 0))).unwrap();
    assert!(waiting <= 1, "{waiting} wakers registered by one thread");
}
