//! Files in memory that remember what changed since the host last persisted them: the store
//! the WebAssembly build runs on.
//!
//! The engine stays synchronous and knows nothing of IndexedDB or Node's `fs`. It writes to
//! [`JournalStorage`] as to any store; the host (a JS adapter) asks for
//! [`JournalStorage::take_changes`], persists them (one IndexedDB transaction, or `fs` writes
//! and fsyncs), and then calls [`JournalStorage::confirm_changes`], or
//! [`JournalStorage::abandon_changes`] if it failed, so the next take sends them again.
//!
//! Invariants:
//! - `persisted` is the host's view: the length of every file the host holds, as far as the
//!   last confirmed or in-flight take told it. [`UNKNOWN_LEN`] marks a file an abandoned take
//!   may have changed in part: the host holds its bytes below `low_water` and maybe more.
//! - For a touched file, `low_water` is the length below which its bytes are the same as the
//!   host's: files are append-only, so only a truncation or a removal lowers it.
//! - Applying a take's changes, in order, to the host's files makes them equal to this store's
//!   files at the time of the take, even over a partly applied abandoned take, provided the
//!   host applies them as the [`Change`] variants say (a write overwrites; truncating or
//!   removing what is not there does nothing).
//!
//! `sync` does nothing here: durability is the host's, and `flush()` in JS resolves only
//! after the host has confirmed.

use super::{MemoryStorage, Storage};
use crate::error::{Error, Result};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// The host length of a file that an abandoned take may have changed in part.
const UNKNOWN_LEN: u64 = u64::MAX;

/// One change for the host to apply to its copy of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Write `bytes` at `position`, over whatever is there, creating the file if needed.
    /// `position` is at most the file's length on the host once earlier changes are applied.
    Write {
        /// The file's name, a relative `/`-separated path.
        name: String,
        /// Where the bytes go.
        position: u64,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Cut the file to `len` bytes if it is longer; a missing file stays missing.
    Truncate {
        /// The file's name.
        name: String,
        /// Its new length.
        len: u64,
    },
    /// Delete the file if it exists.
    Remove {
        /// The file's name.
        name: String,
    },
}

/// What happened to a file since the last take.
#[derive(Debug, Clone, Copy)]
struct Touched {
    /// When it was first touched, so changes come out in the order they were made (a topic's
    /// metadata before its first segment).
    order: u64,
    /// Bytes below this are unchanged from the host's copy.
    low_water: u64,
}

/// [`MemoryStorage`] with a journal of changes for a host to persist.
///
/// ```
/// use mqlite::storage::{Change, JournalStorage, Storage};
///
/// let mut store = JournalStorage::new();
/// store.append("t-0/a.log", b"hello")?;
/// let changes = store.take_changes()?;
/// // ... the host writes them (one IndexedDB transaction, or files), then:
/// store.confirm_changes();
/// assert_eq!(
///     changes,
///     [Change::Write { name: "t-0/a.log".into(), position: 0, bytes: b"hello".to_vec() }]
/// );
/// store.append("t-0/a.log", b"!")?;
/// let next = store.take_changes()?;
/// assert!(matches!(&next[..], [Change::Write { position: 5, .. }]));
/// store.abandon_changes(); // the host failed: the next take sends it again
/// assert!(!store.take_changes()?.is_empty());
/// # Ok::<(), mqlite::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct JournalStorage {
    files: MemoryStorage,
    persisted: BTreeMap<String, u64>,
    touched: BTreeMap<String, Touched>,
    next_order: u64,
    /// What a take the host has not confirmed yet touched.
    in_flight: Option<BTreeMap<String, Touched>>,
}

impl JournalStorage {
    /// An empty store with nothing to persist.
    pub fn new() -> Self {
        Self::default()
    }

    /// The files a host read back from its persisted copy; nothing to persist until the
    /// engine changes them (recovery truncating a torn tail is such a change).
    pub fn from_persisted(files: BTreeMap<String, Vec<u8>>) -> Self {
        let persisted = files
            .iter()
            .map(|(name, bytes)| (name.clone(), bytes.len() as u64))
            .collect();
        Self {
            files: MemoryStorage::from_files(files),
            persisted,
            ..Self::default()
        }
    }

    /// The files and their bytes.
    pub fn files(&self) -> &BTreeMap<String, Vec<u8>> {
        self.files.files()
    }

    /// Whether anything changed since the last take.
    pub fn has_changes(&self) -> bool {
        !self.touched.is_empty()
    }

    /// Whether a take waits for [`Self::confirm_changes`] or [`Self::abandon_changes`].
    pub fn is_in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The changes since the last take, in the order files were first touched. The host
    /// persists them and then confirms or abandons them; a second take before that is
    /// refused, so the host never applies two takes out of order.
    pub fn take_changes(&mut self) -> Result<Vec<Change>> {
        if self.in_flight.is_some() {
            return Err(Error::Io {
                op: "take changes",
                path: String::new(),
                message: "the previous changes are still being persisted".into(),
            });
        }
        let mut order: Vec<(&String, &Touched)> = self.touched.iter().collect();
        order.sort_by_key(|(_, touched)| touched.order);
        let mut changes = Vec::with_capacity(order.len() * 2);
        for (name, touched) in order {
            let before = self.persisted.get(name).copied();
            match self.files.files().get(name) {
                None => {
                    if before.is_some() {
                        changes.push(Change::Remove { name: name.clone() });
                        self.persisted.remove(name);
                    }
                }
                Some(bytes) => {
                    let keep = touched.low_water.min(bytes.len() as u64);
                    if before.is_some_and(|len| len > keep) {
                        changes.push(Change::Truncate {
                            name: name.clone(),
                            len: keep,
                        });
                    }
                    let tail = usize::try_from(keep)
                        .ok()
                        .and_then(|keep| bytes.get(keep..))
                        .unwrap_or_default();
                    // A write of nothing still creates a file the host may not have.
                    let host_may_lack = before.is_none_or(|len| len == UNKNOWN_LEN);
                    if !tail.is_empty() || host_may_lack {
                        changes.push(Change::Write {
                            name: name.clone(),
                            position: keep,
                            bytes: tail.to_vec(),
                        });
                    }
                    self.persisted.insert(name.clone(), bytes.len() as u64);
                }
            }
        }
        self.in_flight = Some(core::mem::take(&mut self.touched));
        Ok(changes)
    }

    /// The host persisted the last take.
    pub fn confirm_changes(&mut self) {
        self.in_flight = None;
    }

    /// The host failed to persist the last take (it may have applied part of it, in order):
    /// the next take sends those changes again, with whatever changed since.
    pub fn abandon_changes(&mut self) {
        let Some(in_flight) = self.in_flight.take() else {
            return;
        };
        for (name, old) in in_flight {
            self.persisted.insert(name.clone(), UNKNOWN_LEN);
            let merged = match self.touched.get(&name) {
                Some(new) => Touched {
                    order: old.order.min(new.order),
                    low_water: old.low_water.min(new.low_water),
                },
                None => old,
            };
            self.touched.insert(name, merged);
        }
    }

    /// Notes that `name` changes from `position` on.
    fn touch(&mut self, name: &str, position: u64) {
        if let Some(touched) = self.touched.get_mut(name) {
            touched.low_water = touched.low_water.min(position);
            return;
        }
        let host_len = self.persisted.get(name).copied().unwrap_or(0);
        self.touched.insert(
            name.into(),
            Touched {
                order: self.next_order,
                low_water: host_len.min(position),
            },
        );
        self.next_order += 1;
    }
}

impl Storage for JournalStorage {
    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<u64> {
        let position = self.files.append(name, bytes)?;
        self.touch(name, position);
        Ok(position)
    }

    fn read_at(&self, name: &str, position: u64, buf: &mut [u8]) -> Result<usize> {
        self.files.read_at(name, position, buf)
    }

    fn len(&self, name: &str) -> Result<u64> {
        self.files.len(name)
    }

    fn truncate(&mut self, name: &str, len: u64) -> Result<()> {
        self.files.truncate(name, len)?;
        self.touch(name, len);
        Ok(())
    }

    fn sync(&mut self, name: &str) -> Result<()> {
        self.files.sync(name)
    }

    fn list(&self) -> Result<Vec<String>> {
        self.files.list()
    }

    fn remove(&mut self, name: &str) -> Result<()> {
        self.files.remove(name)?;
        self.touch(name, 0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// Applies `changes` to a host's copy, as the JS adapters do.
    fn apply(host: &mut BTreeMap<String, Vec<u8>>, changes: &[Change]) {
        for change in changes {
            match change {
                Change::Write {
                    name,
                    position,
                    bytes,
                } => {
                    let file = host.entry(name.clone()).or_default();
                    let position = usize::try_from(*position).unwrap();
                    assert!(position <= file.len(), "no gap in {name}");
                    let end = position + bytes.len();
                    if file.len() < end {
                        file.resize(end, 0);
                    }
                    file.get_mut(position..end).unwrap().copy_from_slice(bytes);
                }
                Change::Truncate { name, len } => {
                    if let Some(file) = host.get_mut(name) {
                        file.truncate(usize::try_from(*len).unwrap());
                    }
                }
                Change::Remove { name } => {
                    host.remove(name);
                }
            }
        }
    }

    #[test]
    fn meets_the_storage_contract() {
        super::super::contract::check(&mut JournalStorage::new());
    }

    #[test]
    fn a_take_sends_only_what_changed_since_the_last() {
        let mut store = JournalStorage::new();
        store.append("meta", b"m").unwrap();
        store.append("t-0/a.log", b"hello").unwrap();
        let first = store.take_changes().unwrap();
        store.confirm_changes();
        assert_eq!(
            first,
            [
                Change::Write {
                    name: "meta".into(),
                    position: 0,
                    bytes: b"m".to_vec()
                },
                Change::Write {
                    name: "t-0/a.log".into(),
                    position: 0,
                    bytes: b"hello".to_vec()
                },
            ]
        );
        store.append("t-0/a.log", b" world").unwrap();
        assert_eq!(
            store.take_changes().unwrap(),
            [Change::Write {
                name: "t-0/a.log".into(),
                position: 5,
                bytes: b" world".to_vec()
            }]
        );
        store.confirm_changes();
        assert!(store.take_changes().unwrap().is_empty());
    }

    #[test]
    fn truncation_and_removal_reach_the_host() {
        let mut host = BTreeMap::new();
        host.insert(String::from("t-0/a.log"), b"hello world".to_vec());
        host.insert(String::from("t-0/b.log"), b"gone".to_vec());
        let mut store = JournalStorage::from_persisted(host.clone());
        assert!(!store.has_changes());
        store.truncate("t-0/a.log", 5).unwrap();
        store.append("t-0/a.log", b"!!").unwrap();
        store.remove("t-0/b.log").unwrap();
        store.append("t-0/b.log", b"again").unwrap();
        store.append("t-0/c.log", b"").unwrap();
        let changes = store.take_changes().unwrap();
        store.confirm_changes();
        apply(&mut host, &changes);
        assert_eq!(&host, store.files());
    }

    #[test]
    fn an_abandoned_take_is_sent_again_with_what_came_after() {
        let mut host = BTreeMap::new();
        let mut store = JournalStorage::new();
        store.append("a", b"one").unwrap();
        store.append("b", b"x").unwrap();
        let lost = store.take_changes().unwrap();
        assert!(store.take_changes().is_err(), "one take at a time");
        // The host applied the first change, then failed.
        apply(&mut host, lost.get(..1).unwrap());
        store.truncate("a", 1).unwrap();
        store.append("a", b"two").unwrap();
        store.truncate("b", 0).unwrap();
        store.abandon_changes();
        let again = store.take_changes().unwrap();
        store.confirm_changes();
        apply(&mut host, &again);
        assert_eq!(&host, store.files());
    }

    #[test]
    fn random_histories_keep_the_host_equal_to_the_store() {
        // A small deterministic generator: every step appends, truncates, removes, takes,
        // confirms or abandons; after each confirmed take the host equals the store.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        for _ in 0..200 {
            let mut store = JournalStorage::new();
            let mut host: BTreeMap<String, Vec<u8>> = BTreeMap::new();
            let mut pending: Option<Vec<Change>> = None;
            for _ in 0..60 {
                let name = ["a", "b", "c"][usize::try_from(next(3)).unwrap()];
                match next(7) {
                    0 | 1 => {
                        let len = usize::try_from(next(5)).unwrap();
                        store.append(name, &vec![b'x'; len]).unwrap();
                    }
                    2 => {
                        if let Ok(len) = store.len(name) {
                            store.truncate(name, next(len + 1)).unwrap();
                        }
                    }
                    3 => {
                        let _ = store.remove(name);
                    }
                    4 if pending.is_none() => pending = Some(store.take_changes().unwrap()),
                    5 => {
                        if let Some(changes) = pending.take() {
                            apply(&mut host, &changes);
                            store.confirm_changes();
                        }
                    }
                    _ => {
                        if let Some(changes) = pending.take() {
                            // The host applied a part of them before it failed.
                            let applied = usize::try_from(next(changes.len() as u64 + 1)).unwrap();
                            apply(&mut host, changes.get(..applied).unwrap());
                            store.abandon_changes();
                        }
                    }
                }
            }
            if pending.take().is_some() {
                store.abandon_changes();
            }
            let changes = store.take_changes().unwrap();
            apply(&mut host, &changes);
            store.confirm_changes();
            assert_eq!(&host, store.files());
        }
    }
}
