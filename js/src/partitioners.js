// Kafka's partitioner, exposed so JS code can tell where a key goes (and match Kafka's Java
// client: the same partition for the same key bytes and partition count).

import { murmur2 as hash, murmur2Partition } from "../native/mqlite_native.js";
import { argTypeError, call, outOfRange } from "./errors.js";
import { toBytes } from "./pack.js";

/** The partition Kafka's default partitioner picks for `key` among `partitions`. */
export function murmur2(key, partitions) {
  if (typeof partitions !== "number") throw argTypeError("partitions", "a number", partitions);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 0xffffffff) {
    throw outOfRange("partitions", "1 to 4294967295", partitions);
  }
  return call(() => murmur2Partition(toBytes(key, "key"), partitions));
}

/** Kafka's murmur2 hash of `key` (signed 32-bit), as `Utils.murmur2` returns it. */
export function murmur2Hash(key) {
  return hash(toBytes(key, "key"));
}
