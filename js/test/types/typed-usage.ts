// Type-checked (tsc --noEmit, strict) against the package's declarations as a user imports
// them: through package.json's "exports" ("types" condition). The @ts-expect-error lines
// prove the declarations are not `any`: tsc fails if any of them stops being an error.

import {
  type ConsumerRecord,
  type RecordMetadata,
  MqliteError,
  TopicNotFoundError,
  murmur2,
  open,
} from "mqlite";

export async function main(path: string): Promise<string[]> {
  const log = await open(path);
  await log.createTopic("orders", { partitions: 4, compression: "lz4" });
  const producer = log.producer({ partitioner: "murmur2", lingerMs: 5, durability: "write" });
  const key = new TextEncoder().encode("order-1");
  const meta: RecordMetadata = await producer.send("orders", { key, value: "{}", headers: [["h", "v"]] });
  const offset: bigint = meta.offset;
  // @ts-expect-error offsets are bigint, not number
  const wrong: number = meta.offset;
  // @ts-expect-error an unknown durability
  log.producer({ durability: "disk" });
  // @ts-expect-error send needs a message object
  void producer.send("orders", 42);
  void wrong;
  await producer.sendMany("orders", [{ key: "k", value: new Uint8Array([1]) }, { value: null }]);
  await producer.flush();
  const custom = log.producer({ partitioner: (_topic, k, count) => (k ? k.length % count : 0) });
  await custom.send("orders", { value: "x" });

  const consumer = log.consumer({ topics: ["orders"], autoOffsetReset: "earliest" });
  const batch: ConsumerRecord[] = await consumer.poll({ maxRecords: 500, timeoutMs: 1000 });
  consumer.seek("orders", 0, 10n);
  consumer.seek("orders", murmur2("order-1", 4), offset);
  const seen: string[] = batch.map((r) => `${r.topic}/${r.partition}/${r.offset}`);
  try {
    await producer.send("missing", { value: "x" });
  } catch (error) {
    if (error instanceof TopicNotFoundError) seen.push(error.code);
    else if (error instanceof MqliteError) throw error;
  }
  consumer.close();
  await log.close();
  return seen;
}
