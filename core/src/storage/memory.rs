//! Files held in memory: the no_std backend, and the one wasm runs on.

use super::Storage;
use crate::error::{Error, Result};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// Named byte vectors in a sorted map. Everything is "durable" at once; nothing survives a
/// drop unless [`MemoryStorage::files`] is read out first.
#[derive(Debug, Clone, Default)]
pub struct MemoryStorage {
    files: BTreeMap<String, Vec<u8>>,
}

fn missing(op: &'static str, name: &str) -> Error {
    Error::Io {
        op,
        path: name.into(),
        message: "no such file".into(),
    }
}

impl MemoryStorage {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `files`.
    pub fn from_files(files: BTreeMap<String, Vec<u8>>) -> Self {
        Self { files }
    }

    /// The files and their bytes.
    pub fn files(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.files
    }

    /// Mutable access to the files, for tests that damage them.
    pub fn files_mut(&mut self) -> &mut BTreeMap<String, Vec<u8>> {
        &mut self.files
    }
}

impl Storage for MemoryStorage {
    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<u64> {
        let file = self.files.entry(name.into()).or_default();
        let position = file.len() as u64;
        file.extend_from_slice(bytes);
        Ok(position)
    }

    fn read_at(&self, name: &str, position: u64, buf: &mut [u8]) -> Result<usize> {
        let file = self.files.get(name).ok_or_else(|| missing("read", name))?;
        let start = usize::try_from(position)
            .unwrap_or(usize::MAX)
            .min(file.len());
        let available = file.get(start..).unwrap_or_default();
        let len = available.len().min(buf.len());
        if let (Some(target), Some(source)) = (buf.get_mut(..len), available.get(..len)) {
            target.copy_from_slice(source);
        }
        Ok(len)
    }

    fn len(&self, name: &str) -> Result<u64> {
        self.files
            .get(name)
            .map(|f| f.len() as u64)
            .ok_or_else(|| missing("len", name))
    }

    fn truncate(&mut self, name: &str, len: u64) -> Result<()> {
        let file = self
            .files
            .get_mut(name)
            .ok_or_else(|| missing("truncate", name))?;
        file.truncate(usize::try_from(len).unwrap_or(usize::MAX));
        Ok(())
    }

    fn sync(&mut self, name: &str) -> Result<()> {
        self.files
            .get(name)
            .map(|_| ())
            .ok_or_else(|| missing("sync", name))
    }

    fn list(&self) -> Result<Vec<String>> {
        Ok(self.files.keys().cloned().collect())
    }

    fn remove(&mut self, name: &str) -> Result<()> {
        self.files
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| missing("remove", name))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn meets_the_storage_contract() {
        super::super::contract::check(&mut super::MemoryStorage::new());
    }
}
