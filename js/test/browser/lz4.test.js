// Behaviour 6: an lz4-compressed topic round-trips in the browser: what is sent (compressible
// text, incompressible noise, empty and null values, keys, headers; batches of many records)
// is what a consumer reads after a reload, and it is stored compressed (the same records take
// far fewer bytes than in an uncompressed topic).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dbName, session } from "./helpers.js";
import { shape } from "./records.js";

const COUNT = 120;

let s;
before(async () => {
  s = await session();
});
after(async () => {
  await s?.close();
});

/** Message `i`: compressible text mostly, some noise, an empty and a null value. Runs in
 * the page (serialised with toString) and in Node alike. */
function message(i) {
  let value;
  if (i % 10 === 7) {
    value = new Uint8Array(3000);
    let x = (i + 1) * 2654435761;
    for (let k = 0; k < value.length; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      value[k] = x & 0xff;
    }
  } else if (i === 11) value = new Uint8Array(0);
  else if (i === 13) value = null;
  else value = `record ${i}: ${"the quick brown fox jumps over the lazy dog; ".repeat(60 + (i % 5))}`;
  return { key: i % 3 === 0 ? null : `key-${i}`, value, headers: i % 2 ? [["n", String(i)], ["z", null]] : [] };
}

test("an lz4 topic round-trips through IndexedDB and is stored compressed", { timeout: 60_000 }, async (t) => {
  const name = dbName("lz4");
  const p = await s.newPage();
  const written = await p.evaluate(
    async ({ name, COUNT, messageSource }) => {
      const message = new Function(`return (${messageSource})`)();
      const log = await window.mqlite.open(name);
      await log.createTopic("z", { partitions: 2, compression: "lz4" });
      await log.createTopic("plain", { partitions: 2 });
      const producer = log.producer({ lingerMs: 20 });
      const sends = [];
      for (let i = 0; i < COUNT; i++) {
        const m = message(i);
        sends.push(producer.send("z", { ...m, partition: i % 2 }));
        sends.push(producer.send("plain", { ...m, partition: i % 2 }));
      }
      // And one sendMany batch, to the compressed topic only.
      const many = await producer.sendMany(
        "z",
        Array.from({ length: 20 }, (_, j) => ({ ...message(COUNT + j), partition: 0 })),
      );
      await Promise.all(sends);
      await producer.flush();
      return { many };
    },
    { name, COUNT, messageSource: message.toString() },
  );
  assert.deepEqual(written.many.map((w) => [w.partition, w.count]), [[0, 20]]);

  await s.reload(p);
  const r = await p.evaluate(async (name) => {
    const log = await window.mqlite.open(name);
    const out = {
      z: log.describe("z"),
      plain: log.describe("plain"),
      records: (await window.records.readAll(log, ["z"])).map((rec) => ({
        partition: rec.partition,
        offset: rec.offset,
        ...window.records.shape(rec),
      })),
    };
    await log.close();
    return out;
  }, name);

  assert.equal(r.z.compression, "lz4", "the topic keeps its compression");
  assert.equal(r.plain.compression, "none");

  // Partition p holds messages i ≡ p (mod 2) in order, then partition 0 the sendMany batch.
  const expected = [[], []];
  for (let i = 0; i < COUNT; i++) expected[i % 2].push(i);
  for (let j = 0; j < 20; j++) expected[0].push(COUNT + j);
  for (const partition of [0, 1]) {
    const got = r.records.filter((rec) => rec.partition === partition);
    assert.equal(got.length, expected[partition].length, `partition ${partition}: every record read back`);
    got.forEach((rec, k) => {
      const i = expected[partition][k];
      assert.equal(rec.offset, BigInt(k), `partition ${partition}: offsets in order`);
      assert.deepEqual({ key: rec.key, value: rec.value, headers: rec.headers }, shape(message(i)), `message ${i}`);
    });
  }

  // Stored compressed: the compressed topic holds more records in well under half the bytes.
  const bytes = (d) => d.partitionInfo.reduce((sum, info) => sum + info.sizeBytes, 0);
  assert.ok(bytes(r.z) > 0);
  t.diagnostic(`stored: lz4 topic ${bytes(r.z)} bytes, uncompressed topic ${bytes(r.plain)} bytes`);
  assert.ok(bytes(r.z) * 2 < bytes(r.plain), `lz4 topic ${bytes(r.z)} bytes vs uncompressed ${bytes(r.plain)} bytes`);
  await p.close();
  assert.deepEqual(s.pageErrors, []);
});
