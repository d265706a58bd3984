// One on-disk format: a log written by the Python package opens in Node, and the reverse.
// Python runs as a real process from the repository's virtualenv (`make python-build` makes
// it; MQLITE_PYTHON points elsewhere).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { open } from "../src/node.js";
import { REPO, readAll, tempDir, text } from "./helpers.js";

const PYTHON = process.env.MQLITE_PYTHON ?? join(REPO, ".venv/bin/python");

function python(script, ...args) {
  assert.ok(existsSync(PYTHON), `no Python with mqlite at ${PYTHON}: run \`make python-build\` first`);
  return execFileSync(PYTHON, ["-c", script, ...args], { encoding: "utf8" });
}

test("a log written by Python opens in Node, and Node's appends read back in Python", async (t) => {
  const dir = tempDir(t);
  python(
    `
import sys, mqlite
with mqlite.open(sys.argv[1]) as log:
    log.create_topic("orders", 3, compression="lz4")
    log.create_topic("plain")
    producer = log.producer(durability="fsync")
    for i in range(100):
        producer.send("orders", f"py-{i}", key=f"k{i}", headers=[("lang", b"python")])
    producer.send("plain", None, key="tombstone")
    producer.flush()
`,
    dir,
  );
  const log = await open(dir);
  assert.deepEqual(log.topics(), ["orders", "plain"]);
  assert.equal(log.describe("orders").compression, "lz4");
  const records = await readAll(log, ["orders"]);
  assert.equal(records.length, 100);
  for (const record of records) {
    const i = Number(text(record.value).slice(3));
    assert.equal(text(record.key), `k${i}`);
    assert.deepEqual(record.headers.map(([k, v]) => [k, text(v)]), [["lang", "python"]]);
  }
  const [tombstone] = await readAll(log, ["plain"]);
  assert.equal(tombstone.value, null);
  assert.equal(text(tombstone.key), "tombstone");

  const producer = log.producer();
  await producer.sendMany("orders", Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `js-${i}` })));
  await log.close();

  const counted = JSON.parse(
    python(
      `
import sys, json, mqlite
with mqlite.open(sys.argv[1]) as log:
    values = []
    for p in range(3):
        values += [r.value.decode() for r in log.read("orders", p, 0, 1 << 30)]
    print(json.dumps({"py": sum(v.startswith("py-") for v in values), "js": sum(v.startswith("js-") for v in values)}))
`,
      dir,
    ),
  );
  assert.deepEqual(counted, { py: 100, js: 50 });
});

// Keys and header names are non-ASCII on purpose: strings cross as UTF-8 in both languages.
const userKey = (i) => `ключ-${i % 7}-🚀`;

test("a log written by Node opens in Python", async (t) => {
  const dir = tempDir(t);
  const log = await open(dir);
  await log.createTopic("events", { partitions: 2, compression: "lz4" });
  const producer = log.producer({ partitioner: "murmur2" });
  const metas = await Promise.all(
    Array.from({ length: 40 }, (_, i) => producer.send("events", { key: userKey(i), value: `e${i}`, headers: { "név": String(i) } })),
  );
  await producer.flush();
  await log.close();

  const seen = JSON.parse(
    python(
      `
import sys, json, mqlite
with mqlite.open(sys.argv[1]) as log:
    out = []
    for p in range(2):
        for r in log.read("events", p, 0, 1 << 30):
            out.append([p, r.offset, r.key.decode(), r.value.decode(), [[k, v.decode()] for k, v in r.headers]])
    print(json.dumps({"records": out, "compression": log.describe("events").config["compression"],
                      "partition": mqlite.partitioners.murmur2(sys.argv[2], 2)}))
`,
      dir,
      userKey(3),
    ),
  );
  assert.equal(seen.compression, "lz4");
  assert.equal(seen.records.length, 40);
  for (const [partition, offset, key, value, headers] of seen.records) {
    const i = Number(value.slice(1));
    assert.equal(key, userKey(i));
    assert.deepEqual(headers, [["név", String(i)]]);
    assert.equal(partition, metas[i].partition);
    assert.equal(BigInt(offset), metas[i].offset);
  }
  assert.equal(seen.partition, metas[3].partition, "the same murmur2 partition in both");
});
