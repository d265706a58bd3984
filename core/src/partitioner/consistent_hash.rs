//! A consistent-hash ring over a topic's partitions.
//!
//! Each partition `p` owns `virtual_nodes` points on a 32-bit ring, at
//! `xxh32(p as u32 BE ++ v as u32 BE, seed 0)` for `v` in `0..virtual_nodes`; a key goes to the
//! owner of the first point at or after `xxh32(key, seed 0)`, wrapping around. Adding
//! partition `N` adds only its own points, so only keys that now fall just before one of them
//! move, all to `N`: about `1/(N+1)` of them.

use alloc::vec::Vec;
use twox_hash::XxHash32;

/// A ring for one partition count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistentHash {
    /// (point, partition), sorted by point, then partition.
    ring: Vec<(u32, u32)>,
}

impl ConsistentHash {
    /// The ring for `partitions` partitions (at least 1) with `virtual_nodes` points each (at
    /// least 1).
    pub fn new(partitions: u32, virtual_nodes: u32) -> Self {
        let (partitions, virtual_nodes) = (partitions.max(1), virtual_nodes.max(1));
        let mut ring = Vec::with_capacity(partitions as usize * virtual_nodes as usize);
        for partition in 0..partitions {
            for node in 0..virtual_nodes {
                // The partition's four big-endian bytes, then the node's.
                let label = ((u64::from(partition) << 32) | u64::from(node)).to_be_bytes();
                ring.push((XxHash32::oneshot(0, &label), partition));
            }
        }
        ring.sort_unstable();
        Self { ring }
    }

    /// The partition that owns `key`.
    pub fn partition(&self, key: &[u8]) -> u32 {
        let point = XxHash32::oneshot(0, key);
        let at = self.ring.partition_point(|&(p, _)| p < point);
        self.ring
            .get(at)
            .or_else(|| self.ring.first())
            .map_or(0, |&(_, partition)| partition)
    }
}
