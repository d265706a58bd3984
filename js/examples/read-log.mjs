// Reads a log from Node: every topic, how many records each partition holds, and the first
// few records. `make demo` runs it on the log the Python demo wrote: one format everywhere.
//
// Usage: node js/examples/read-log.mjs LOG_DIR

import { open } from "mqlite";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node read-log.mjs LOG_DIR");
  process.exit(2);
}
const log = await open(dir, { readOnly: true });
const decoder = new TextDecoder();
for (const topic of log.topics()) {
  const description = log.describe(topic);
  const counts = description.partitionInfo.map((p) => `p${p.partition}=${p.highWatermark - p.logStartOffset}`);
  console.log(`node: topic ${topic} (${description.compression}): ${counts.join(", ")}`);
  const consumer = log.consumer({ topics: [topic], autoOffsetReset: "earliest" });
  let total = 0;
  let shown = 0;
  for (;;) {
    const batch = await consumer.poll({ maxRecords: 5000 });
    if (batch.length === 0) break;
    for (const record of batch) {
      if (shown++ < 3) {
        const key = record.key && decoder.decode(record.key);
        console.log(`  ${record.partition}/${record.offset} key=${key} value=${decoder.decode(record.value)}`);
      }
    }
    total += batch.length;
  }
  console.log(`node: read ${total} records written by Python`);
}
await log.close();
