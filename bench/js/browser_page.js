// The page side of scenario 7 (bench/js/browser_indexeddb.mjs): inlined into the module
// script of a page served by js/test/browser/harness.js, after bench/js/payload.mjs (its
// `export`s dropped), so `pool`, `payloads` and RECORD_BYTES are in scope. Node drives it
// through `window.bench`: `setup(case)` (untimed: fresh database, inputs), `timed()` (the
// measured part, returns its wall time), `teardown()` (untimed: close, delete the database).

import { open } from "mqlite";
import Dexie from "dexie";

const DB = "bench-db";
const STORE = "records";
const TOPIC = "bench";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("aborted"));
  });
}

/** Deletes a database; counts the times a deletion had to wait for a connection to close. */
let blocked = 0;
function deleteDatabase(name) {
  const req = indexedDB.deleteDatabase(name);
  req.onblocked = () => {
    blocked++;
    console.warn(`deleting ${name} waits for a connection to close`);
  };
  return request(req);
}

// Inputs, made once per page: mqlite messages `{ value }` (views of one buffer: mqlite packs
// the bytes), and for IndexedDB and Dexie one 100 B Uint8Array per record with its own buffer
// (structured clone stores a view's whole buffer, so views of one buffer would store it all).
let messages = [];
let values = [];
let keys = [];

function inputs(count) {
  if (messages.length >= count) return;
  const buffer = payloads(count);
  messages = new Array(count);
  values = new Array(count);
  keys = new Array(count);
  for (let i = 0; i < count; i++) {
    const view = buffer.subarray(i * RECORD_BYTES, (i + 1) * RECORD_BYTES);
    messages[i] = { value: view };
    values[i] = view.slice();
    keys[i] = i;
  }
}

let current = null;

async function openRaw() {
  const req = indexedDB.open(DB, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE);
  return request(req);
}

const systems = {
  // mqlite: `sendMany` of `batch` records per call, then `finish`:
  // - "flush": `await producer.flush()` (a strict transaction for what is not yet persisted);
  // - "relaxed": `await log.persist({ strict: false })` (a relaxed transaction);
  // - "none": nothing (with durability "fsync" each sendMany already waited for its strict
  //   transaction).
  // `durability` is the producer's: "memory" (nothing persisted until the finish), "write"
  // (each sendMany waits for a relaxed background persist), "fsync" (each sendMany waits for a
  // strict one).
  async "mqlite-sendMany"({ count, batch, durability, finish }) {
    const log = await open(DB);
    await log.createTopic(TOPIC);
    const producer = log.producer({ durability, batchBytes: 4 << 20, lingerMs: 1_000_000 });
    const batches = [];
    for (let i = 0; i < count; i += batch) batches.push(messages.slice(i, Math.min(count, i + batch)));
    return {
      async timed() {
        for (const b of batches) await producer.sendMany(TOPIC, b);
        if (finish === "flush") await producer.flush();
        else if (finish === "relaxed") await log.persist({ strict: false });
      },
      async teardown() {
        const hw = log.highWatermark(TOPIC, 0);
        await log.close();
        if (hw !== BigInt(count)) throw new Error(`high watermark ${hw}, expected ${count}`);
      },
      async check() {
        // Reopen from IndexedDB: every record is there with its bytes.
        const again = await open(DB);
        const consumer = again.consumer({ topics: [TOPIC] });
        let seen = 0;
        for (;;) {
          const records = await consumer.poll({ maxRecords: 4096 });
          if (records.length === 0) break;
          for (const r of records) {
            const want = messages[seen].value;
            if (r.value.length !== want.length || r.value.some((b, j) => b !== want[j])) throw new Error(`record ${seen} differs`);
            seen++;
          }
        }
        await again.close();
        if (seen !== count) throw new Error(`read back ${seen} records, expected ${count}`);
      },
    };
  },

  // mqlite: `send` per record with the default producer (lingerMs 5, batchBytes 16 KiB,
  // durability "write"), not awaited; then one `await producer.flush()` and the sends.
  async "mqlite-send"({ count }) {
    const log = await open(DB);
    await log.createTopic(TOPIC);
    const producer = log.producer();
    const pending = new Array(count);
    return {
      async timed() {
        for (let i = 0; i < count; i++) pending[i] = producer.send(TOPIC, messages[i]);
        await producer.flush();
        await Promise.all(pending);
      },
      async teardown() {
        const hw = log.highWatermark(TOPIC, 0);
        await log.close();
        if (hw !== BigInt(count)) throw new Error(`high watermark ${hw}, expected ${count}`);
      },
    };
  },

  // Raw IndexedDB: `per` records per readwrite transaction, each awaited before the next.
  async raw({ count, per, durability }) {
    const db = await openRaw();
    return {
      async timed() {
        for (let i = 0; i < count; i += per) {
          const tx = db.transaction(STORE, "readwrite", { durability });
          const store = tx.objectStore(STORE);
          const end = Math.min(count, i + per);
          for (let j = i; j < end; j++) store.put(values[j], keys[j]);
          await done(tx);
        }
      },
      async teardown() {
        const stored = await request(db.transaction(STORE).objectStore(STORE).count());
        db.close();
        if (stored !== count) throw new Error(`stored ${stored}, expected ${count}`);
      },
    };
  },

  // Dexie: one `bulkPut` of every record (one transaction), at the database's durability.
  async dexie({ count, durability }) {
    const db = new Dexie(DB, { chromeTransactionDurability: durability });
    db.version(1).stores({ [STORE]: "" });
    await db.open();
    const v = values.slice(0, count);
    const k = keys.slice(0, count);
    return {
      async timed() {
        await db.table(STORE).bulkPut(v, k);
      },
      async teardown() {
        const stored = await db.table(STORE).count();
        db.close();
        if (stored !== count) throw new Error(`stored ${stored}, expected ${count}`);
      },
    };
  },
};

window.bench = {
  /** Makes inputs for `count` records (once per page; untimed). */
  inputs(count) {
    const t0 = performance.now();
    inputs(count);
    return performance.now() - t0;
  },
  /** A fresh database and the case's state, untimed. */
  async setup(system, params) {
    if (current) throw new Error("a case is still set up");
    await deleteDatabase(DB);
    current = await systems[system](params);
  },
  /** The measured part; returns its wall time in seconds. */
  async timed() {
    const t0 = performance.now();
    await current.timed();
    return (performance.now() - t0) / 1000;
  },
  /** Untimed: checks what was stored (when asked and the case can), closes, deletes. */
  async teardown(check) {
    const state = current;
    current = null;
    await state.teardown();
    if (check && state.check) await state.check();
    await deleteDatabase(DB);
  },
};
window.benchReady = true;
