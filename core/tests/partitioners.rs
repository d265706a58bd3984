//! Partitioners: murmur2 agrees with Kafka's Java client exactly (a table computed by
//! kafka-clients 3.7.0 itself), and the others keep the properties they promise.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test")]

use mqlite::partitioner::{
    ConsistentHash, PartitionRequest, Partitioner, RoundRobin, Sticky, murmur2, murmur2_partition,
};
use serde_json::Value;
use std::sync::Arc;

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn murmur2_picks_the_partition_kafkas_java_client_picks() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/murmur2.json");
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let entries = table["entries"].as_array().unwrap();
    assert!(entries.len() >= 100);
    let mut checked = 0;
    for entry in entries {
        let key = unhex(entry["key_hex"].as_str().unwrap());
        assert_eq!(
            i64::from(murmur2(&key)),
            entry["murmur2"].as_i64().unwrap(),
            "murmur2 of {key:02x?}"
        );
        for (partitions, expected) in entry["partitions"].as_object().unwrap() {
            let partitions: u32 = partitions.parse().unwrap();
            let got = murmur2_partition(&key, partitions);
            assert_eq!(
                i64::from(got),
                expected.as_i64().unwrap(),
                "key {key:02x?}, {partitions} partitions"
            );
            checked += 1;
        }
    }
    assert!(checked > 1000);
}

#[test]
fn murmur2_spreads_keys_evenly() {
    let mut counts = [0u32; 12];
    for i in 0..120_000 {
        counts[murmur2_partition(format!("user-{i}").as_bytes(), 12) as usize] += 1;
    }
    for count in counts {
        assert!((9_000..11_000).contains(&count), "{counts:?}");
    }
}

#[test]
fn round_robin_cycles_per_topic() {
    let mut round_robin = RoundRobin::default();
    let a: Vec<u32> = (0..7).map(|_| round_robin.partition("a", 3)).collect();
    assert_eq!(a, [0, 1, 2, 0, 1, 2, 0]);
    assert_eq!(round_robin.partition("b", 3), 0, "each topic counts alone");
    assert_eq!(round_robin.partition("a", 3), 1);
}

#[test]
fn sticky_holds_a_partition_until_its_batch_closes_then_moves() {
    let mut sticky = Sticky::with_seed(7);
    let first = sticky.partition("t", 6);
    assert!((0..100).all(|_| sticky.partition("t", 6) == first));
    let mut seen = std::collections::BTreeSet::new();
    let mut current = first;
    for _ in 0..200 {
        sticky.rotate("t", 6);
        let next = sticky.partition("t", 6);
        assert_ne!(
            next, current,
            "a closed batch moves keyless records elsewhere"
        );
        current = next;
        seen.insert(next);
    }
    assert_eq!(seen.len(), 6, "every partition gets batches");
    sticky.rotate("single", 1);
    assert_eq!(sticky.partition("single", 1), 0);
}

#[test]
fn consistent_hashing_moves_about_one_nth_of_keys_and_only_to_the_new_partition() {
    let keys: Vec<Vec<u8>> = (0..20_000)
        .map(|i| format!("key-{i}").into_bytes())
        .collect();
    for partitions in [2u32, 5, 10] {
        let before = ConsistentHash::new(partitions, 160);
        let after = ConsistentHash::new(partitions + 1, 160);
        let mut moved = 0;
        for key in &keys {
            let (old, new) = (before.partition(key), after.partition(key));
            if old != new {
                assert_eq!(new, partitions, "a key moved between old partitions");
                moved += 1;
            }
        }
        let expected = keys.len() as f64 / f64::from(partitions + 1);
        let ratio = f64::from(moved) / expected;
        assert!(
            (0.75..1.25).contains(&ratio),
            "{partitions}+1: moved {moved}, expected about {expected}"
        );
    }
}

#[test]
fn the_producer_strategy_routes_keys_keyless_records_and_user_functions() {
    let request = |key: Option<&'static [u8]>| PartitionRequest {
        topic: "t",
        key,
        partitions: 8,
    };
    let mut default = Partitioner::default();
    assert_eq!(
        default.partition(&request(Some(b"key"))),
        murmur2_partition(b"key", 8)
    );
    let keyless = default.partition(&request(None));
    assert_eq!(
        default.partition(&request(None)),
        keyless,
        "sticky until the batch closes"
    );
    default.on_batch_closed("t", (keyless + 1) % 8, 8);
    assert_eq!(
        default.partition(&request(None)),
        keyless,
        "another partition's batch: no move"
    );
    default.on_batch_closed("t", keyless, 8);
    assert_ne!(default.partition(&request(None)), keyless);

    let mut ring = Partitioner::ConsistentHash {
        virtual_nodes: 64,
        sticky: Sticky::default(),
    };
    assert_eq!(
        ring.partition(&request(Some(b"k"))),
        ConsistentHash::new(8, 64).partition(b"k")
    );

    let mut custom = Partitioner::Custom(Arc::new(|r: &PartitionRequest<'_>| {
        r.key.map_or(0, |k| k.len() as u32) % r.partitions
    }));
    assert_eq!(custom.partition(&request(Some(b"abc"))), 3);
}
