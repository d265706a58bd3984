//! A test backend that keeps written bytes apart from durable ones and can cut the power.
//!
//! Each file has the bytes written to it and the bytes that were there at its last `sync`.
//! After [`FaultStorage::cut_power_after`] lets `n` more mutating calls through, every later
//! one fails with an `Io` error, the way a process finds its disk gone. The call that meets the
//! cut may itself be half done (its bytes written, not durable): a torn write.
//! [`FaultStorage::crash_image`] then says what a disk could hold after the power came back:
//! for each file, its durable bytes plus a seeded random prefix of what was written after them,
//! sometimes with that prefix's end zero-filled (a file whose size reached the disk before its
//! data). A file never synced may be missing. Removes are durable at once, as in
//! [`super::FileStorage`].
//!
//! Besides power cuts it injects transient failures: [`FaultStorage::fail_once`] makes one
//! chosen call fail (an append may first write half its bytes, a short write) while every
//! other call goes on working, the way a full disk or an interrupted write looks.

use super::{MemoryStorage, Storage};
use crate::error::{Error, Result};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// When the power goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PowerCut {
    /// Never.
    #[default]
    Never,
    /// After this many more mutating calls (append, truncate, sync, remove) succeed.
    AfterOps(u64),
    /// It is out.
    Out,
}

/// The fault-injecting backend. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct FaultStorage {
    /// What the process sees: every byte written.
    written: MemoryStorage,
    /// What the disk holds, per file, as of its last sync; absent until the first sync (the
    /// file's existence is not durable yet).
    durable: BTreeMap<String, Vec<u8>>,
    power: PowerCut,
    failures: Vec<Failure>,
    syncs: u64,
    appends: u64,
}

/// One transient failure waiting to happen.
#[derive(Debug, Clone)]
struct Failure {
    op: &'static str,
    name_suffix: String,
    skip: u32,
    lands: Lands,
}

/// How much of a failing append reaches the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lands {
    Nothing,
    Half,
    All,
}

fn injected_failure(op: &'static str, name: &str) -> Error {
    Error::Io {
        op,
        path: name.into(),
        message: "injected failure".into(),
    }
}

/// splitmix64: a tiny deterministic generator, so a seed names one crash image.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next() % bound as u64) as usize
        }
    }
}

impl FaultStorage {
    /// An empty store with the power on.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store whose files are already durable.
    pub fn from_memory(memory: &MemoryStorage) -> Self {
        Self {
            written: memory.clone(),
            durable: memory.files().clone(),
            ..Self::default()
        }
    }

    /// Makes the call of `op` ("append", "truncate", "sync", "remove") on a file whose name
    /// ends with `name_suffix` fail once, after `skip` such calls succeed. With `short_write`,
    /// a failing append first writes half its bytes.
    pub fn fail_once(&mut self, op: &'static str, name_suffix: &str, skip: u32, short_write: bool) {
        let lands = if short_write {
            Lands::Half
        } else {
            Lands::Nothing
        };
        self.failures.push(Failure {
            op,
            name_suffix: name_suffix.into(),
            skip,
            lands,
        });
    }

    /// Makes one append to a file whose name ends with `name_suffix` write all its bytes and
    /// then report failure, after `skip` such appends succeed: a write whose acknowledgement
    /// was lost, which a retry would store twice.
    pub fn lose_ack_once(&mut self, name_suffix: &str, skip: u32) {
        self.failures.push(Failure {
            op: "append",
            name_suffix: name_suffix.into(),
            skip,
            lands: Lands::All,
        });
    }

    /// Whether an injected failure fires now for `op` on `name`, and how much of an append
    /// lands.
    fn injected(&mut self, op: &str, name: &str) -> Option<Lands> {
        let index = self.failures.iter_mut().position(|f| {
            if f.op != op || !name.ends_with(&f.name_suffix) {
                return false;
            }
            let fires = f.skip == 0;
            f.skip = f.skip.saturating_sub(1);
            fires
        })?;
        Some(self.failures.remove(index).lands)
    }

    /// Lets `ops` more mutating calls succeed, then cuts the power.
    pub fn cut_power_after(&mut self, ops: u64) {
        self.power = PowerCut::AfterOps(ops);
    }

    /// Whether the power is out.
    pub fn is_power_out(&self) -> bool {
        self.power == PowerCut::Out
    }

    /// How many syncs succeeded.
    pub fn sync_count(&self) -> u64 {
        self.syncs
    }

    /// How many appends succeeded.
    pub fn append_count(&self) -> u64 {
        self.appends
    }

    /// What the disk could hold after the power comes back; `seed` picks one possibility.
    pub fn crash_image(&self, seed: u64) -> MemoryStorage {
        let mut rng = SplitMix(seed);
        let mut files = BTreeMap::new();
        for (name, written) in self.written.files() {
            let durable = self
                .durable
                .get(name)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let common = durable
                .iter()
                .zip(written)
                .take_while(|(a, b)| a == b)
                .count();
            // If the file was cut below its durable length since the last sync, either state
            // may have reached the disk.
            let (base, extra) = if common < durable.len() && rng.below(2) == 0 {
                (durable, &[][..])
            } else {
                (
                    durable.get(..common).unwrap_or_default(),
                    written.get(common..).unwrap_or_default(),
                )
            };
            let kept = rng.below(extra.len() + 1);
            let mut bytes = Vec::with_capacity(base.len() + kept);
            bytes.extend_from_slice(base);
            bytes.extend_from_slice(extra.get(..kept).unwrap_or_default());
            if kept > 0 && rng.below(4) == 0 {
                let zero_from = base.len() + kept / 2;
                if let Some(tail) = bytes.get_mut(zero_from..) {
                    tail.fill(0);
                }
            }
            if !self.durable.contains_key(name) && bytes.is_empty() && rng.below(2) == 0 {
                continue; // the directory entry never reached the disk
            }
            files.insert(name.clone(), bytes);
        }
        MemoryStorage::from_files(files)
    }

    fn spend_op(&mut self, op: &'static str, name: &str) -> Result<()> {
        match self.power {
            PowerCut::Never => Ok(()),
            PowerCut::AfterOps(0) | PowerCut::Out => {
                self.power = PowerCut::Out;
                Err(Error::Io {
                    op,
                    path: name.into(),
                    message: "power cut".into(),
                })
            }
            PowerCut::AfterOps(n) => {
                self.power = PowerCut::AfterOps(n - 1);
                Ok(())
            }
        }
    }
}

impl Storage for FaultStorage {
    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<u64> {
        if let Some(lands) = self.injected("append", name) {
            let landed = match lands {
                Lands::Nothing => 0,
                Lands::Half => bytes.len() / 2,
                Lands::All => bytes.len(),
            };
            if landed > 0 {
                self.written
                    .append(name, bytes.get(..landed).unwrap_or_default())?;
            }
            return Err(injected_failure("append", name));
        }
        let was_out = self.power == PowerCut::Out;
        match self.spend_op("append", name) {
            Ok(()) => {
                self.appends += 1;
                self.written.append(name, bytes)
            }
            Err(cut) => {
                if !was_out {
                    // The write that meets the cut lands in the page cache, never on the disk.
                    self.written.append(name, bytes)?;
                }
                Err(cut)
            }
        }
    }

    fn read_at(&self, name: &str, position: u64, buf: &mut [u8]) -> Result<usize> {
        self.written.read_at(name, position, buf)
    }

    fn len(&self, name: &str) -> Result<u64> {
        self.written.len(name)
    }

    fn truncate(&mut self, name: &str, len: u64) -> Result<()> {
        if self.injected("truncate", name).is_some() {
            return Err(injected_failure("truncate", name));
        }
        self.spend_op("truncate", name)?;
        self.written.truncate(name, len)
    }

    fn sync(&mut self, name: &str) -> Result<()> {
        if self.injected("sync", name).is_some() {
            return Err(injected_failure("sync", name));
        }
        self.spend_op("sync", name)?;
        let bytes = self.written.files().get(name).ok_or_else(|| Error::Io {
            op: "sync",
            path: name.into(),
            message: "no such file".into(),
        })?;
        self.durable.insert(name.into(), bytes.clone());
        self.syncs += 1;
        Ok(())
    }

    fn list(&self) -> Result<Vec<String>> {
        self.written.list()
    }

    fn remove(&mut self, name: &str) -> Result<()> {
        if self.injected("remove", name).is_some() {
            return Err(injected_failure("remove", name));
        }
        self.spend_op("remove", name)?;
        self.durable.remove(name);
        self.written.remove(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::read_up_to;

    #[test]
    fn meets_the_storage_contract() {
        super::super::contract::check(&mut FaultStorage::new());
    }

    #[test]
    fn synced_bytes_survive_and_unsynced_ones_may_not() {
        let mut storage = FaultStorage::new();
        storage.append("a", b"durable").unwrap();
        storage.sync("a").unwrap();
        storage.append("a", b"-volatile").unwrap();
        storage.append("b", b"never synced").unwrap();
        let mut saw_partial = false;
        let mut saw_b_missing = false;
        for seed in 0..64 {
            let image = storage.crash_image(seed);
            let a = read_up_to(&image, "a", 0, 100).unwrap();
            assert!(
                a.starts_with(b"durable"),
                "synced bytes lost with seed {seed}"
            );
            assert!(a.len() <= b"durable-volatile".len());
            saw_partial |= a.len() > 7 && a.len() < 16;
            saw_b_missing |= image.len("b").is_err();
        }
        assert!(saw_partial && saw_b_missing, "the crash images never vary");
    }

    #[test]
    fn an_injected_failure_fires_once_on_the_chosen_call() {
        let mut storage = FaultStorage::new();
        storage.fail_once("append", ".log", 1, true);
        storage.append("a.log", b"1234").unwrap();
        assert!(storage.append("a.log", b"5678").is_err());
        assert_eq!(
            read_up_to(&storage, "a.log", 0, 10).unwrap(),
            b"123456",
            "a short write"
        );
        storage.append("a.log", b"9").unwrap();
        assert!(!storage.is_power_out());
    }

    #[test]
    fn the_power_cut_fails_every_later_call() {
        let mut storage = FaultStorage::new();
        storage.cut_power_after(2);
        storage.append("a", b"1").unwrap();
        storage.sync("a").unwrap();
        assert!(storage.append("a", b"2").is_err());
        assert!(storage.sync("a").is_err());
        assert!(storage.is_power_out());
        assert_eq!(storage.sync_count(), 1);
        let image = storage.crash_image(1);
        assert!(read_up_to(&image, "a", 0, 10).unwrap().starts_with(b"1"));
    }
}
