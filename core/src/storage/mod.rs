//! The storage trait: a small, synchronous set of operations over append-only named files.
//!
//! Names are relative, `/`-separated paths (`orders-0/00000000000000000000.log`). A file comes
//! into being on its first append. The engine writes only at a file's end, and rewrites a
//! file only by truncating it. `sync` makes a file's bytes, and its existence, durable;
//! nothing else promises durability.
//!
//! Implementations: [`MemoryStorage`] (no_std), [`JournalStorage`] (no_std; memory that
//! tells a host what to persist: the store WebAssembly runs on), [`FileStorage`]
//! (std; real files), and [`FaultStorage`] (tests: keeps written bytes apart from durable ones
//! and can cut the power).

mod fault;
#[cfg(feature = "std")]
mod file;
mod journal;
mod memory;

pub use fault::{FaultStorage, PowerCut};
#[cfg(feature = "std")]
pub use file::{FileStorage, LOCK_FILE_NAME};
pub use journal::{Change, JournalStorage};
pub use memory::MemoryStorage;

use crate::error::Result;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// Append-only named files.
pub trait Storage: Send + Sync {
    /// Appends `bytes` to the end of `name`, creating it if needed; returns the position the
    /// bytes start at.
    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<u64>;
    /// Reads from `position` into `buf`; returns how many bytes were read, fewer than
    /// `buf.len()` only at the end of the file.
    fn read_at(&self, name: &str, position: u64, buf: &mut [u8]) -> Result<usize>;
    /// The length of `name` in bytes.
    fn len(&self, name: &str) -> Result<u64>;
    /// Cuts `name` to `len` bytes.
    fn truncate(&mut self, name: &str, len: u64) -> Result<()>;
    /// Makes `name`'s bytes and its existence durable.
    fn sync(&mut self, name: &str) -> Result<()>;
    /// Every file's name, sorted.
    fn list(&self) -> Result<Vec<String>>;
    /// Deletes `name`, durably.
    fn remove(&mut self, name: &str) -> Result<()>;

    /// Starts a sync of `name` that can finish without the storage borrowed: whatever must
    /// happen under the caller's lock happens now, and the returned job (if any) does the rest,
    /// so other threads can go on appending while it waits on the disk (group commit). Once
    /// the job returns `Ok`, every byte appended to `name` before this call is durable.
    ///
    /// The default syncs at once and returns no job.
    fn detached_sync(&mut self, name: &str) -> Result<Option<DetachedSync>> {
        self.sync(name).map(|()| None)
    }
}

/// The rest of a sync started by [`Storage::detached_sync`], run with no lock held.
pub type DetachedSync = Box<dyn FnOnce() -> Result<()> + Send>;

impl<S: Storage + ?Sized> Storage for Box<S> {
    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<u64> {
        (**self).append(name, bytes)
    }
    fn read_at(&self, name: &str, position: u64, buf: &mut [u8]) -> Result<usize> {
        (**self).read_at(name, position, buf)
    }
    fn len(&self, name: &str) -> Result<u64> {
        (**self).len(name)
    }
    fn truncate(&mut self, name: &str, len: u64) -> Result<()> {
        (**self).truncate(name, len)
    }
    fn sync(&mut self, name: &str) -> Result<()> {
        (**self).sync(name)
    }
    fn list(&self) -> Result<Vec<String>> {
        (**self).list()
    }
    fn remove(&mut self, name: &str) -> Result<()> {
        (**self).remove(name)
    }
    fn detached_sync(&mut self, name: &str) -> Result<Option<DetachedSync>> {
        (**self).detached_sync(name)
    }
}

/// Reads exactly `len` bytes at `position`, or fewer if the file ends first.
pub fn read_up_to<S: Storage + ?Sized>(
    storage: &S,
    name: &str,
    position: u64,
    len: usize,
) -> Result<Vec<u8>> {
    let mut buf = alloc::vec![0u8; len];
    let mut filled = 0;
    while filled < len {
        let Some(rest) = buf.get_mut(filled..) else {
            break;
        };
        let read = storage.read_at(name, position + filled as u64, rest)?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    buf.truncate(filled);
    Ok(buf)
}

/// Writes a whole small file (metadata) durably: the file must not exist yet.
pub fn write_new_file<S: Storage + ?Sized>(
    storage: &mut S,
    name: &str,
    bytes: &[u8],
) -> Result<()> {
    storage.append(name, bytes)?;
    storage.sync(name)
}

#[cfg(test)]
pub(crate) mod contract {
    //! The behaviour every backend must show, run against each of them.
    use super::*;

    pub fn check(storage: &mut dyn Storage) {
        assert_eq!(storage.append("t-0/a.log", b"hello").unwrap(), 0);
        assert_eq!(storage.append("t-0/a.log", b" world").unwrap(), 5);
        storage.append("meta", b"m").unwrap();
        assert_eq!(storage.len("t-0/a.log").unwrap(), 11);
        assert_eq!(read_up_to(storage, "t-0/a.log", 6, 100).unwrap(), b"world");
        assert_eq!(read_up_to(storage, "t-0/a.log", 11, 4).unwrap(), b"");
        storage.sync("t-0/a.log").unwrap();
        storage.truncate("t-0/a.log", 5).unwrap();
        assert_eq!(storage.append("t-0/a.log", b"!").unwrap(), 5);
        assert_eq!(read_up_to(storage, "t-0/a.log", 0, 100).unwrap(), b"hello!");
        assert_eq!(storage.list().unwrap(), ["meta", "t-0/a.log"]);
        storage.remove("t-0/a.log").unwrap();
        assert_eq!(storage.list().unwrap(), ["meta"]);
        assert!(storage.len("t-0/a.log").is_err());
        assert!(storage.remove("missing").is_err());
    }
}
