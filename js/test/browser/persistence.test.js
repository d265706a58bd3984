// Behaviour 1: what a producer flushed to IndexedDB survives a page reload — every record's
// key, value, headers, offset and timestamp, the topics and their partition counts — and
// sends after the reload continue at the next offsets.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dbName, session } from "./helpers.js";
import { sampleMessage, shape } from "./records.js";

const COUNTS = { orders: 30, audit: 15 };
const MORE = { orders: 12, audit: 4 };

let s;
before(async () => {
  s = await session();
});
after(async () => {
  await s?.close();
});

/** In the page: sends `counts` sample messages from `first`; returns their metadata. */
function produce(p, name, { create, first, counts }) {
  return p.evaluate(
    async ({ name, create, first, counts }) => {
      const { open } = window.mqlite;
      const log = await open(name);
      if (create) {
        await log.createTopic("orders", { partitions: 3 });
        await log.createTopic("audit", { partitions: 1 });
      }
      const producer = log.producer();
      const sends = [];
      for (const [topic, count] of Object.entries(counts)) {
        for (let i = first[topic]; i < first[topic] + count; i++) {
          sends.push(producer.send(topic, window.records.sampleMessage(topic, i)).then((meta) => ({ ...meta, i })));
        }
      }
      const metas = await Promise.all(sends);
      await producer.flush();
      // The log stays open: the reload is the only thing that ends it.
      window.openLog = log;
      return metas;
    },
    { name, create, first, counts },
  );
}

/** In the page: opens the log and reads everything with a fresh consumer. */
function readBack(p, name) {
  return p.evaluate(async (name) => {
    const { open } = window.mqlite;
    const { readAll, shape } = window.records;
    const log = await open(name);
    const topics = log.topics();
    const described = Object.fromEntries(topics.map((t) => [t, log.describe(t)]));
    const records = (await readAll(log, topics)).map((r) => ({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestampMs: r.timestampMs,
      ...shape(r),
    }));
    window.openLog = log;
    return { topics, described, records };
  }, name);
}

function key(topic, partition, offset) {
  return `${topic}/${partition}/${offset}`;
}

/** Asserts `read` holds exactly the records `metas` describe, with their sample content. */
function assertExactly(read, metas) {
  assert.equal(read.records.length, metas.length, "as many records read back as were sent");
  const byPosition = new Map(read.records.map((r) => [key(r.topic, r.partition, r.offset), r]));
  assert.equal(byPosition.size, read.records.length, "no (topic, partition, offset) read twice");
  for (const meta of metas) {
    const got = byPosition.get(key(meta.topic, meta.partition, meta.offset));
    assert.ok(got, `record ${meta.topic} #${meta.i} at ${key(meta.topic, meta.partition, meta.offset)} is missing`);
    assert.deepEqual(
      { key: got.key, value: got.value, headers: got.headers },
      shape(sampleMessage(meta.topic, meta.i)),
      `content of ${meta.topic} #${meta.i}`,
    );
    assert.equal(got.timestampMs, meta.timestampMs, `timestamp of ${meta.topic} #${meta.i}`);
  }
  // Offsets are contiguous from 0 in every partition, and each partition's high watermark
  // is its record count.
  const perPartition = new Map();
  for (const r of read.records) {
    const k = `${r.topic}/${r.partition}`;
    perPartition.set(k, [...(perPartition.get(k) ?? []), r.offset]);
  }
  for (const [topic, d] of Object.entries(read.described)) {
    for (const info of d.partitionInfo) {
      const offsets = perPartition.get(`${topic}/${info.partition}`) ?? [];
      assert.deepEqual(offsets, offsets.map((_, j) => BigInt(j)), `offsets of ${topic}/${info.partition} are 0..n-1 in order`);
      assert.equal(info.highWatermark, BigInt(offsets.length), `high watermark of ${topic}/${info.partition}`);
    }
  }
}

test("flushed records, topics and partition counts survive a reload; sends continue at the next offsets", { timeout: 60_000 }, async () => {
  const name = dbName("persist");
  const p = await s.newPage();

  const first = await produce(p, name, { create: true, first: { orders: 0, audit: 0 }, counts: COUNTS });
  assert.equal(first.length, COUNTS.orders + COUNTS.audit);
  // The keys spread the orders over more than one partition, so partitions are really tested.
  assert.ok(new Set(first.filter((m) => m.topic === "orders").map((m) => m.partition)).size > 1);

  await s.reload(p);
  const afterReload = await readBack(p, name);
  assert.deepEqual(afterReload.topics, ["audit", "orders"], "topics survive");
  assert.equal(afterReload.described.orders.partitions, 3, "orders keeps 3 partitions");
  assert.equal(afterReload.described.audit.partitions, 1, "audit keeps 1 partition");
  assertExactly(afterReload, first);

  // Sends after the reload continue at each partition's next offset.
  const highWatermarks = new Map();
  for (const [topic, d] of Object.entries(afterReload.described)) {
    for (const info of d.partitionInfo) highWatermarks.set(`${topic}/${info.partition}`, info.highWatermark);
  }
  await p.evaluate(() => window.openLog.close());
  const second = await produce(p, name, { create: false, first: COUNTS, counts: MORE });
  const next = new Map(highWatermarks);
  for (const meta of second) {
    const k = `${meta.topic}/${meta.partition}`;
    assert.equal(meta.offset, next.get(k), `${meta.topic} #${meta.i} gets the next offset of ${k}`);
    next.set(k, next.get(k) + 1n);
  }

  // And those are durable too: a second reload reads old and new records.
  await s.reload(p);
  const afterSecondReload = await readBack(p, name);
  assert.deepEqual(afterSecondReload.topics, ["audit", "orders"]);
  assertExactly(afterSecondReload, [...first, ...second]);
  await p.evaluate(() => window.openLog.close());
  await p.close();
  assert.deepEqual(s.pageErrors, []);
});

test("a log written in many small flushes survives reloads (its files merged at open)", { timeout: 60_000 }, async () => {
  // One flush per record: the adapter stores each persist as chunks of its own, and an open
  // merges a file of 64 chunks or more into one. Reading after that merge, and writing and
  // reading again after the next, must give every record back.
  const name = dbName("many-flushes");
  const p = await s.newPage();
  const writeEach = (from, count, create) =>
    p.evaluate(
      async ({ name, from, count, create }) => {
        const log = await window.mqlite.open(name);
        if (create) await log.createTopic("audit", { partitions: 1 });
        const producer = log.producer();
        const offsets = [];
        for (let i = from; i < from + count; i++) {
          const { offset } = await producer.send("audit", window.records.sampleMessage("audit", i));
          await producer.flush();
          offsets.push(offset);
        }
        return offsets; // the log stays open until the reload
      },
      { name, from, count, create },
    );
  const readEach = async () => {
    const read = await readBack(p, name);
    await p.evaluate(() => window.openLog.close());
    return read.records;
  };
  const expectRecords = (records, count) => {
    assert.equal(records.length, count, "every record is read back");
    records.forEach((r, i) => {
      assert.equal(r.offset, BigInt(i));
      assert.deepEqual({ key: r.key, value: r.value, headers: r.headers }, shape(sampleMessage("audit", i)), `record ${i}`);
    });
  };

  assert.deepEqual(await writeEach(0, 100, true), Array.from({ length: 100 }, (_, i) => BigInt(i)));
  await s.reload(p);
  expectRecords(await readEach(), 100);
  await s.reload(p); // the first open after the small flushes merged; this one reads the merge
  expectRecords(await readEach(), 100);
  assert.deepEqual(await writeEach(100, 70, false), Array.from({ length: 70 }, (_, i) => BigInt(100 + i)));
  await s.reload(p);
  expectRecords(await readEach(), 170);
  await s.reload(p);
  expectRecords(await readEach(), 170);
  await p.close();
  assert.deepEqual(s.pageErrors, []);
});
