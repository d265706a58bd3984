//! Real files under a root directory, with the lock file that keeps out a second writer.
//!
//! A writer holds an exclusive advisory lock (`flock`) on `mqlite.lock` for as long as the
//! storage lives, and writes its process id into it so a second writer's error can name the
//! holder, and empties the file when it closes. The operating system drops the lock when the
//! process dies, so a crash never leaves a stale lock. A read-only store takes no lock and
//! refuses every write.
//!
//! Node, which has no `flock`, takes the same lock file by writing `node pid N` into it (see
//! `js/src/storage/node-fs.js`): a writer here also refuses while the file names a Node
//! process that is still alive (on Linux, where `/proc` tells; elsewhere such a file is
//! taken as held, and the error says to delete it if that process is gone).
//!
//! Durability: `sync` is `fdatasync` on the file, plus an `fsync` of its directory and every
//! directory above it up to the root, each once per session and again whenever this session
//! added an entry to it (a file's directory entry is not durable until its directory is
//! synced, and a file created by an earlier process that crashed may never have had that).
//! Opening creates the root directory durably. `remove` syncs the directory at once.

use super::{DetachedSync, Storage};
use crate::error::{Error, Result};
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The lock file's name in a log directory.
pub const LOCK_FILE_NAME: &str = "mqlite.lock";

/// Files under a directory.
#[derive(Debug)]
pub struct FileStorage {
    root: PathBuf,
    read_only: bool,
    /// Open handles, shared with readers so reads never wait on a lock during IO.
    handles: Mutex<HashMap<String, Arc<File>>>,
    /// Lengths of files this store appends to.
    lens: HashMap<String, u64>,
    /// Directories, under the root or the root itself, whose entries may not be durable:
    /// every one until this session syncs it, and again after this session adds an entry.
    synced_dirs: HashSet<PathBuf>,
    /// Held for the store's lifetime; dropping it empties the file and releases the lock.
    lock: Option<File>,
}

impl Drop for FileStorage {
    fn drop(&mut self) {
        if let Some(lock) = &self.lock {
            // Best effort: an emptied lock file tells a Node writer nobody holds the log.
            let _ = lock.set_len(0);
        }
    }
}

fn io_error(op: &'static str, path: &Path, error: &std::io::Error) -> Error {
    Error::Io {
        op,
        path: path.display().to_string(),
        message: error.to_string(),
    }
}

impl FileStorage {
    /// Opens `root` for writing, creating it if needed, and takes the writer lock.
    ///
    /// Fails with `LogLocked` naming the holder when another writer has it.
    pub fn open(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        create_dirs_durably(&root)?;
        let lock = acquire_lock(&root)?;
        Ok(Self::with(root, false, Some(lock)))
    }

    /// Opens `root` read-only, without the lock; every write fails with `ReadOnly`.
    pub fn open_read_only(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        fs::metadata(&root).map_err(|e| io_error("open", &root, &e))?;
        Ok(Self::with(root, true, None))
    }

    fn with(root: PathBuf, read_only: bool, lock: Option<File>) -> Self {
        Self {
            root,
            read_only,
            handles: Mutex::new(HashMap::new()),
            lens: HashMap::new(),
            synced_dirs: HashSet::new(),
            lock,
        }
    }

    /// The directory this store lives in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, name: &str) -> Result<PathBuf> {
        let safe = !name.is_empty()
            && name
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..")
            && !name.contains('\\');
        if !safe {
            return Err(Error::Io {
                op: "resolve",
                path: name.into(),
                message: "not a relative storage name".into(),
            });
        }
        Ok(self.root.join(name))
    }

    fn handle(&self, name: &str, create: bool) -> Result<Arc<File>> {
        let mut handles = self
            .handles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(file) = handles.get(name) {
            return Ok(Arc::clone(file));
        }
        let path = self.path(name)?;
        let file = OpenOptions::new()
            .read(true)
            .write(!self.read_only)
            .create(create && !self.read_only)
            .truncate(false)
            .open(&path)
            .map_err(|e| io_error("open", &path, &e))?;
        let file = Arc::new(file);
        handles.insert(name.into(), Arc::clone(&file));
        Ok(file)
    }

    fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(Error::ReadOnly)
        } else {
            Ok(())
        }
    }

    /// Syncs the directories that hold `path`'s entry, up to the root, unless this session
    /// already has and has added no entry to them since.
    fn sync_parent_dirs(&mut self, path: &Path) -> Result<()> {
        let root = self.root.clone();
        for dir in path
            .ancestors()
            .skip(1)
            .take_while(|d| d.starts_with(&root))
        {
            if !self.synced_dirs.contains(dir) {
                self.sync_dir(dir)?;
                self.synced_dirs.insert(dir.to_path_buf());
            }
        }
        Ok(())
    }

    fn sync_dir(&self, dir: &Path) -> Result<()> {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_error("sync", dir, &e))
    }
}

/// Creates `root` and any missing parents, syncing the parent of each so the new entries are
/// durable.
fn create_dirs_durably(root: &Path) -> Result<()> {
    let missing: Vec<&Path> = root
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .collect();
    fs::create_dir_all(root).map_err(|e| io_error("create", root, &e))?;
    for dir in missing.iter().rev() {
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_error("sync", parent, &e))?;
    }
    Ok(())
}

fn acquire_lock(root: &Path) -> Result<File> {
    let path = root.join(LOCK_FILE_NAME);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| io_error("open", &path, &e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            // Best effort: the holder may be mid-write of its pid.
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(Error::LogLocked {
                path: path.display().to_string(),
                holder: if holder.is_empty() {
                    "unknown holder".into()
                } else {
                    holder.into()
                },
            });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io_error("lock", &path, &e)),
    }
    let mut holder = String::new();
    // Best effort, as above.
    let _ = file.read_to_string(&mut holder);
    if let Some(pid) = live_node_holder(holder.trim()) {
        return Err(Error::LogLocked {
            path: path.display().to_string(),
            holder: alloc::format!(
                "node pid {pid} (if that process is not an mqlite writer, delete the file)"
            ),
        });
    }
    let stamp = alloc::format!("pid {}", std::process::id());
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(stamp.as_bytes()))
        .map_err(|e| io_error("write", &path, &e))?;
    Ok(file)
}

/// The pid of the Node process that `holder` (the lock file's text) names, if it still runs.
fn live_node_holder(holder: &str) -> Option<u32> {
    let pid: u32 = holder.strip_prefix("node pid ")?.trim().parse().ok()?;
    if pid == std::process::id() {
        return None;
    }
    if cfg!(target_os = "linux") {
        Path::new(&alloc::format!("/proc/{pid}"))
            .exists()
            .then_some(pid)
    } else {
        Some(pid)
    }
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], position: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, position)
}
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], position: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, position)
}
#[cfg(windows)]
fn write_at(file: &File, mut bytes: &[u8], mut position: u64) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(file, bytes, position)?;
        bytes = bytes.get(n..).unwrap_or_default();
        position += n as u64;
    }
    Ok(())
}
#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], position: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, position)
}

impl Storage for FileStorage {
    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<u64> {
        self.writable()?;
        let position = match self.lens.get(name) {
            Some(&len) => len,
            None => {
                let path = self.path(name)?;
                if let Some(parent) = path.parent().filter(|p| !p.exists()) {
                    fs::create_dir_all(parent).map_err(|e| io_error("create", parent, &e))?;
                    self.synced_dirs.remove(&self.root);
                }
                if !path.exists()
                    && let Some(parent) = path.parent()
                {
                    self.synced_dirs.remove(parent);
                }
                let file = self.handle(name, true)?;
                file.metadata()
                    .map_err(|e| io_error("stat", &path, &e))?
                    .len()
            }
        };
        let file = self.handle(name, true)?;
        write_at(&file, bytes, position)
            .map_err(|e| io_error("append", &self.root.join(name), &e))?;
        let end = position + bytes.len() as u64;
        match self.lens.get_mut(name) {
            Some(len) => *len = end,
            None => {
                self.lens.insert(name.into(), end);
            }
        }
        Ok(position)
    }

    fn read_at(&self, name: &str, position: u64, buf: &mut [u8]) -> Result<usize> {
        let file = self.handle(name, false)?;
        read_at(&file, buf, position).map_err(|e| io_error("read", &self.root.join(name), &e))
    }

    fn len(&self, name: &str) -> Result<u64> {
        if let Some(&len) = self.lens.get(name) {
            return Ok(len);
        }
        let path = self.path(name)?;
        fs::metadata(&path)
            .map(|m| m.len())
            .map_err(|e| io_error("stat", &path, &e))
    }

    fn truncate(&mut self, name: &str, len: u64) -> Result<()> {
        self.writable()?;
        let file = self.handle(name, false)?;
        file.set_len(len)
            .map_err(|e| io_error("truncate", &self.root.join(name), &e))?;
        self.lens.insert(name.into(), len);
        Ok(())
    }

    fn sync(&mut self, name: &str) -> Result<()> {
        if let Some(job) = self.detached_sync(name)? {
            job()?;
        }
        Ok(())
    }

    /// The directory entries are synced now (rarely needed: only after this session added
    /// one); the file's data is synced by the job, through a handle shared with the store.
    fn detached_sync(&mut self, name: &str) -> Result<Option<DetachedSync>> {
        self.writable()?;
        let file = self.handle(name, false)?;
        let path = self.path(name)?;
        self.sync_parent_dirs(&path)?;
        Ok(Some(Box::new(move || {
            file.sync_data().map_err(|e| io_error("sync", &path, &e))
        })))
    }

    fn list(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let mut pending = alloc::vec![(self.root.clone(), String::new())];
        while let Some((dir, prefix)) = pending.pop() {
            let entries = fs::read_dir(&dir).map_err(|e| io_error("list", &dir, &e))?;
            for entry in entries {
                let entry = entry.map_err(|e| io_error("list", &dir, &e))?;
                let Ok(file_name) = entry.file_name().into_string() else {
                    continue;
                };
                let name = if prefix.is_empty() {
                    file_name
                } else {
                    alloc::format!("{prefix}/{file_name}")
                };
                let kind = entry
                    .file_type()
                    .map_err(|e| io_error("list", &entry.path(), &e))?;
                if kind.is_dir() {
                    pending.push((entry.path(), name));
                } else if kind.is_file() && name != LOCK_FILE_NAME {
                    names.push(name);
                }
            }
        }
        names.sort();
        Ok(names)
    }

    fn remove(&mut self, name: &str) -> Result<()> {
        self.writable()?;
        let path = self.path(name)?;
        self.handles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(name);
        self.lens.remove(name);
        fs::remove_file(&path).map_err(|e| io_error("remove", &path, &e))?;
        if let Some(parent) = path.parent() {
            // An emptied partition directory goes too (a failure here loses nothing).
            if parent != self.root && fs::remove_dir(parent).is_ok() {
                return self.sync_dir(&self.root);
            }
            self.sync_dir(parent)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meets_the_storage_contract() {
        let dir = tempfile::tempdir().unwrap();
        super::super::contract::check(&mut FileStorage::open(dir.path()).unwrap());
    }

    #[test]
    fn a_second_writer_is_refused_with_the_holders_pid() {
        let dir = tempfile::tempdir().unwrap();
        let _first = FileStorage::open(dir.path()).unwrap();
        let err = FileStorage::open(dir.path()).unwrap_err();
        let Error::LogLocked { holder, .. } = &err else {
            panic!("expected LogLocked, got {err}")
        };
        assert_eq!(holder, &alloc::format!("pid {}", std::process::id()));
        drop(_first);
        FileStorage::open(dir.path()).unwrap();
    }

    #[test]
    fn a_live_node_writer_holds_the_log_and_a_closed_writer_leaves_the_file_empty() {
        let dir = tempfile::tempdir().unwrap();
        let lock_path = dir.path().join(LOCK_FILE_NAME);
        // Pid 1 always runs on Linux; elsewhere every Node stamp counts as held.
        std::fs::write(&lock_path, "node pid 1").unwrap();
        let error = FileStorage::open(dir.path()).unwrap_err();
        assert_eq!(error.code(), crate::ErrorCode::LogLocked, "{error}");
        assert!(error.to_string().contains("node pid 1"), "{error}");
        if cfg!(target_os = "linux") {
            std::fs::write(&lock_path, "node pid 4000000000").unwrap();
            let storage = FileStorage::open(dir.path()).unwrap();
            let stamp = std::fs::read_to_string(&lock_path).unwrap();
            assert_eq!(stamp, alloc::format!("pid {}", std::process::id()));
            drop(storage);
            assert_eq!(std::fs::read(&lock_path).unwrap(), b"");
        }
    }

    #[test]
    fn read_only_refuses_writes_and_takes_no_lock() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = FileStorage::open(dir.path()).unwrap();
        writer.append("a", b"x").unwrap();
        let mut reader = FileStorage::open_read_only(dir.path()).unwrap();
        assert_eq!(reader.append("a", b"y").unwrap_err(), Error::ReadOnly);
        assert_eq!(reader.len("a").unwrap(), 1);
    }

    #[test]
    fn names_cannot_escape_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let mut storage = FileStorage::open(dir.path()).unwrap();
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "a//b"] {
            assert_eq!(
                storage.append(bad, b"x").unwrap_err().code(),
                crate::ErrorCode::Io,
                "{bad}"
            );
        }
    }
}
