// Scenario 1 (BENCH.md) in Node: append throughput of 100 B records into one partition through
// the npm package (wasm), next to the same engine driven natively from Rust, in the same
// invocation, runs interleaved.
//
// In memory (the comparison the Node/native target is about: engine + binding):
// - `Node sendMany` / `native Producer::send_many`: one call per batch of 1, 16, 256, 4096;
// - `Node send + flush` / `native Producer::send + flush`: one send per record, a flush every
//   batch-size records, then every send's result;
// - `Node send, default producer` / `native send, default producer`: batchBytes 16 KiB (a batch
//   is appended inside send when it fills), one flush at the end.
// The Node log is `open()` (no path): the engine on its in-memory JournalStorage, nothing
// persisted. The native peer (bench/js/native-peer) runs the same engine over the same
// JournalStorage, so Node/native is what wasm + the JS binding keep of the native rate.
//
// File-backed (durability `write`: page cache, no fsync while timed): `Node sendMany -> files`
// (`open(dir)`, each sendMany resolves once its relaxed persist wrote the files) next to
// `native Producer::send_many (FileStorage)`, the Rust bench's `producer` rows
// (target/release/mqlite-bench, spawned once per run).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { context, HERE, JS_ROOT, log, parseOptions, processCpu, ratioTo, REPO, row, writeReport } from "./common.mjs";
import { pool, RECORD_BYTES } from "./payload.mjs";

const BATCH_SIZES = [1, 16, 256, 4096];
const DEFAULT_RECORDS = 1_000_000;
/** Batch 1 costs a call per record; by default it runs on a tenth of the records. */
const BATCH_ONE_DIVISOR = 10;
/** The default-producer rows keep a promise per record until the end: fewer records. */
const DEFAULT_PRODUCER_RECORDS = 200_000;
/** File-backed rows: batch sizes and records per run. */
const FILE_BATCHES = [256, 4096];
const FILE_RECORDS = 200_000;
const TOPIC = "bench";
const TARGET_DIR = join(REPO, "target");
const PEER = join(TARGET_DIR, "release", "mqlite-bench-js-peer");
const RUST_BENCH = join(TARGET_DIR, "release", "mqlite-bench");

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

const wholeBatches = (records, batch) => Math.max(1, Math.floor(records / batch)) * batch;

// ---- the native peers -------------------------------------------------------------------

/** Builds the in-memory native peer (a no-op when fresh). */
function buildPeer() {
  log("node-append: cargo build --release (bench/js/native-peer)");
  const built = spawnSync("cargo", ["build", "--release", "--quiet"], {
    cwd: join(HERE, "native-peer"),
    env: { ...process.env, CARGO_TARGET_DIR: TARGET_DIR },
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (built.status !== 0) throw new Error("building bench/js/native-peer failed");
}

/** The in-memory native peer: one request line in, one JSON line out. */
class Peer {
  constructor() {
    this.child = spawn(PEER, [], { stdio: ["pipe", "pipe", "inherit"] });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async #next() {
    const { value, done } = await this.lines.next();
    if (done) throw new Error("the native peer exited");
    return JSON.parse(value);
  }

  async ready() {
    return this.#next();
  }

  async run(mode, batch, records) {
    this.child.stdin.write(`${mode} ${batch} ${records}\n`);
    const answer = await this.#next();
    if (answer.error) throw new Error(`native peer: ${answer.error}`);
    if (answer.records !== records) throw new Error(`native peer ran ${answer.records} records, not ${records}`);
    return { wall_s: answer.wall_s, cpu_s: answer.cpu_s, sys_s: answer.sys_s };
  }

  close() {
    this.child.stdin.end("quit\n");
  }
}

/** One run of the Rust bench's `producer` scenario (file-backed, its own warm-up): the
 * `mqlite Producer::send_many` row's wall and CPU time. */
function rustProducerRun(batch, records) {
  const out = mkdtempSync(join(tmpdir(), "mqlite-js-bench-rust-"));
  try {
    const ran = spawnSync(
      RUST_BENCH,
      ["producer", "--batch", String(batch), "--records", String(records), "--runs", "1", "--out", out],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    if (ran.status !== 0) throw new Error(`mqlite-bench producer failed: ${ran.stderr}`);
    const file = readdirSync(out).find((f) => f.endsWith(".json"));
    const report = JSON.parse(readFileSync(join(out, file), "utf8"));
    const found = report.rows.find((r) => r.system === "mqlite Producer::send_many");
    return { wall_s: found.wall_s, cpu_s: found.cpu_s, sys_s: found.sys_s };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// ---- the Node rows ----------------------------------------------------------------------

let open;

async function freshLog(path) {
  const l = await open(path);
  await l.createTopic(TOPIC);
  return l;
}

/** Times `work` (wall and this process's CPU, every thread). */
async function timed(work) {
  const cpu0 = processCpu();
  const t0 = performance.now();
  await work();
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = processCpu();
  return { wall_s: wall, cpu_s: cpu1.total - cpu0.total, sys_s: cpu1.sys - cpu0.sys };
}

/** The log holds `count` records and the first ones are the pool's values. */
function verify(l, messages, count) {
  const hw = l.highWatermark(TOPIC, 0);
  if (hw !== BigInt(count)) throw new Error(`high watermark ${hw}, expected ${count}`);
}

async function verifyValues(l, messages, count) {
  const consumer = l.consumer({ topics: [TOPIC] });
  let seen = 0;
  while (seen < Math.min(count, 5000)) {
    const records = await consumer.poll({ maxRecords: 4096 });
    if (records.length === 0) break;
    for (const r of records) {
      const want = messages[seen % messages.length];
      if (Buffer.compare(Buffer.from(r.value), Buffer.from(want.value)) !== 0 || r.timestampMs !== want.timestamp) {
        throw new Error(`record ${seen} differs from the pool`);
      }
      seen++;
    }
  }
  consumer.close();
}

function producerOptions(kind) {
  // batchBytes larger than any batch and a linger nobody reaches: batches close only when
  // sendMany returns or on flush, as in the Rust producer scenario.
  if (kind === "default") return { durability: "write" }; // lingerMs 5, batchBytes 16384
  return { lingerMs: 1_000_000, batchBytes: 4 << 20, durability: "write" };
}

/** `sendMany` of `batch` messages per call, each awaited. With `path`, on files: each call
 * waits for its background persist, and the final strict flush is timed apart, untimed in
 * the row (as the Rust rows' close()). */
/** Untimed: the log holds exactly the records sent (with `check`, byte for byte); closes it. */
async function verifyAndClose(l, messages, records, check) {
  verify(l, messages, records);
  if (check) await verifyValues(l, messages, records);
  await l.close();
}

async function nodeSendMany(messages, batch, records, { path = null, check = false } = {}) {
  const l = await freshLog(path);
  const producer = l.producer(producerOptions("many"));
  const batches = records / batch;
  // `messages.slice` inside the timed region, as the Rust rows clone pool records there.
  const sample = await timed(async () => {
    for (let i = 0; i < batches; i++) {
      const start = (i * batch) % messages.length;
      await producer.sendMany(TOPIC, messages.slice(start, start + batch));
    }
  });
  if (path !== null) {
    const t0 = performance.now();
    await producer.flush();
    sample.flush_s = (performance.now() - t0) / 1000;
  }
  await verifyAndClose(l, messages, records, check);
  return sample;
}

async function nodeSendFlush(messages, batch, records, { check = false } = {}) {
  const l = await freshLog(null);
  const producer = l.producer(producerOptions("many"));
  const batches = records / batch;
  const pending = new Array(batch);
  const sample = await timed(async () => {
    for (let i = 0; i < batches; i++) {
      const start = (i * batch) % messages.length;
      for (let j = 0; j < batch; j++) pending[j] = producer.send(TOPIC, messages[start + j]);
      await producer.flush();
      await Promise.all(pending);
    }
  });
  await verifyAndClose(l, messages, records, check);
  return sample;
}

async function nodeSendDefault(messages, records, { check = false } = {}) {
  const l = await freshLog(null);
  const producer = l.producer(producerOptions("default"));
  const pending = new Array(records);
  const sample = await timed(async () => {
    for (let i = 0; i < records; i++) pending[i] = producer.send(TOPIC, messages[i % messages.length]);
    await producer.flush();
    await Promise.all(pending);
  });
  await verifyAndClose(l, messages, records, check);
  return sample;
}

async function nodeSendManyFiles(messages, batch, records, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), "mqlite-js-bench-"));
  try {
    return await nodeSendMany(messages, batch, records, { ...options, path: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the scenario -----------------------------------------------------------------------

/**
 * Runs every case once as a warm-up, then `runs` rounds, each running every case once (so
 * drift on the shared machine hits all alike); returns each case's measured samples.
 */
async function interleaved(cases, runs, verbose) {
  const samples = cases.map(() => []);
  for (let round = 0; round <= runs; round++) {
    for (let c = 0; c < cases.length; c++) {
      gc();
      const sample = await cases[c].run(round === 0);
      if (round > 0) samples[c].push(sample);
      if (verbose) log(`  ${round === 0 ? "warm-up" : `run ${round}`} ${cases[c].name}: ${sample.wall_s.toFixed(3)} s`);
    }
  }
  return samples;
}

export async function run(options = {}) {
  const { runs = 5, records: requested = null, out, verbose = false, build = true, files = true } = options;
  if (build) buildPeer();
  if (!existsSync(PEER)) throw new Error(`${PEER} is missing: build bench/js/native-peer`);
  ({ open } = await import(join(JS_ROOT, "src", "node.js")));
  const wasm = join(JS_ROOT, "native", "mqlite_native_bg.wasm");
  const ctx = context({
    wasm_built: statSync(wasm).mtime.toISOString(),
    native_peer_built: statSync(PEER).mtime.toISOString(),
    ...(existsSync(RUST_BENCH) ? { rust_bench_built: statSync(RUST_BENCH).mtime.toISOString() } : {}),
  });
  log(`node-append at ${ctx.commit} on ${ctx.cpu_model} (${ctx.nproc} cores), Node ${ctx.node}; ${runs} runs after a warm-up`);
  const started = performance.now();
  const { messages } = pool();
  const peer = new Peer();
  await peer.ready();
  const rows = [];
  const notes = [];
  const bytes = (n) => n * RECORD_BYTES;
  try {
    for (const batch of BATCH_SIZES) {
      const wanted = requested ?? (batch === 1 ? DEFAULT_RECORDS / BATCH_ONE_DIVISOR : DEFAULT_RECORDS);
      const records = wholeBatches(wanted, batch);
      log(`node-append: in memory, batch ${batch}, ${records} records per run`);
      const cases = [
        { name: "native send_many", run: () => peer.run("send_many", batch, records) },
        { name: "Node sendMany", run: (check) => nodeSendMany(messages, batch, records, { check }) },
        { name: "native send + flush", run: () => peer.run("send_flush", batch, records) },
        { name: "Node send + flush", run: (check) => nodeSendFlush(messages, batch, records, { check }) },
      ];
      const s = await interleaved(cases, runs, verbose);
      const scenario = `100 B, batch ${batch}`;
      const mk = (system, samples) => row({ system, scenario, durability: "memory", count: records, bytes: bytes(records), samples });
      const nativeMany = mk("native Producer::send_many", s[0]);
      const nativeSend = mk("native Producer::send + flush", s[2]);
      rows.push(ratioTo(mk("Node sendMany", s[1]), nativeMany, "Node/native"));
      rows.push(nativeMany);
      rows.push(ratioTo(mk("Node send + flush", s[3]), nativeSend, "Node/native"));
      rows.push(nativeSend);
      if (batch === 1 && requested === null) {
        notes.push(`batch 1 ran on ${records} records (a tenth of ${DEFAULT_RECORDS}) to stay within two minutes`);
      }
    }

    {
      const records = requested === null ? DEFAULT_PRODUCER_RECORDS : requested;
      log(`node-append: in memory, default producer, ${records} records per run`);
      const cases = [
        { name: "native send, default producer", run: () => peer.run("send_default", 1, records) },
        { name: "Node send, default producer", run: (check) => nodeSendDefault(messages, records, { check }) },
      ];
      const s = await interleaved(cases, runs, verbose);
      const scenario = "100 B, send per record, batchBytes 16 KiB, one flush";
      const mk = (system, samples) => row({ system, scenario, durability: "memory", count: records, bytes: bytes(records), samples });
      const native = mk("native Producer::send, default producer", s[0]);
      rows.push(ratioTo(mk("Node send, default producer", s[1]), native, "Node/native"));
      rows.push(native);
    }

    if (files) {
      if (!existsSync(RUST_BENCH)) {
        notes.push(`file-backed rows skipped: ${RUST_BENCH} is missing (cargo build --release -p mqlite-bench)`);
      } else {
        for (const batch of FILE_BATCHES) {
          const records = wholeBatches(requested === null ? FILE_RECORDS : Math.min(requested, FILE_RECORDS), batch);
          log(`node-append: files, batch ${batch}, ${records} records per run`);
          const cases = [
            { name: "native send_many (files)", run: () => rustProducerRun(batch, records) },
            { name: "Node sendMany -> files", run: (check) => nodeSendManyFiles(messages, batch, records, { check }) },
          ];
          const s = await interleaved(cases, runs, verbose);
          const scenario = `100 B, batch ${batch}, files`;
          const mk = (system, samples) => row({ system, scenario, durability: "write", count: records, bytes: bytes(records), samples });
          const native = mk("native Producer::send_many (FileStorage)", s[0]);
          const node = mk("Node sendMany -> files", s[1]);
          node.flush_s = s[1].map((x) => x.flush_s);
          rows.push(ratioTo(node, native, "Node/native"));
          rows.push(native);
        }
      }
    }
  } finally {
    peer.close();
  }

  notes.push(
    "in memory (durability `memory`): Node `open()` with no path, the engine on its in-memory JournalStorage; " +
      "the native peer (bench/js/native-peer, release) is the same engine on the same JournalStorage, so Node/native " +
      "is what wasm + the JS binding keep of the native rate. Node's target: sendMany >= 0.50 of native",
  );
  notes.push(
    "records: the Rust bench's 100 B JSON-like values (same seed, same bytes), no key, no headers, timestamps " +
      "1_700_000_000_000 + i, from a pool of 65,536 messages `{ value, timestamp }` built before timing; one topic, one " +
      "partition, default topic config; producer batchBytes 4 MiB and lingerMs 1,000,000 (batches close only when " +
      "sendMany returns or on flush, as in the Rust producer scenario), idempotence on (the default)",
  );
  notes.push(
    "sendMany: one call per batch (`messages.slice` of the pool, inside the timed region), awaited; native: " +
      "`send_many` of cloned pool records, then every handle's result (what the binding's sendMany does). " +
      "send + flush: `send` per record (a promise each), `await flush()` every batch-size records, then " +
      "`await Promise.all` of the batch's sends; native: `send` per record, `flush`, then the results",
  );
  notes.push(
    "default producer: lingerMs 5, batchBytes 16 KiB (a batch is appended inside send when full), every record sent " +
      "without awaiting, then one flush and `Promise.all` of all sends; native: `send` per record with batch_bytes " +
      "16 KiB, one flush, then the results",
  );
  if (files) {
    notes.push(
      "files (durability `write`): Node `open(dir)` in the temp dir; each sendMany resolves after the background " +
        "persist it schedules (a microtask, then fs writes without fsync) has written the files; the final strict " +
        "`flush()` and `close()` are not timed (as the Rust rows' `close()`). Native: target/release/mqlite-bench " +
        "`producer --batch N --records N --runs 1`, spawned once per run (with its own warm-up), its `mqlite " +
        "Producer::send_many` row (Log<FileStorage>, one write() per batch). Node's flush after the timed region " +
        "took (median) " +
        rows
          .filter((r) => r.flush_s)
          .map((r) => `${(medianOf(r.flush_s) * 1000).toFixed(1)} ms at ${r.scenario}`)
          .join(", "),
    );
  }
  notes.push(
    "CPU s: Node rows, the whole Node process (process.cpuUsage: every thread, GC helpers and the libuv pool " +
      "included); native in-memory rows, the peer's thread (/proc/thread-self/schedstat); native file rows, the " +
      "Rust bench's thread. sys in parentheses. Native in-memory rows pay fresh page faults for the log's memory on " +
      "every run (their sys share); wasm's linear memory, grown in the warm-up, is reused",
  );
  notes.push(
    `wasm module built ${ctx.wasm_built}, native peer built ${ctx.native_peer_built}: both must be from the same core ` +
      "for the ratio to mean anything (rebuild js/native with js/scripts/build-native.sh after core changes)",
  );
  const report = {
    scenario: "js-node-append",
    title: "Scenario 1 in Node: append through the npm package (wasm) next to native Rust (100 B records, one partition)",
    durability:
      "memory (in-memory logs on both sides: JournalStorage, nothing persisted) for the first rows; write (page cache, " +
      "no fsync while timed) for the file rows",
    runs,
    rows,
    targets: targets(rows),
    notes,
  };
  const written = writeReport(report, ctx, out);
  log(`node-append took ${((performance.now() - started) / 1000).toFixed(0)} s; wrote ${written.paths.join(", ")}`);
  return { report, ctx, ...written };
}

function medianOf(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function targets(rows) {
  const out = [];
  for (const r of rows) {
    if (r.system === "Node sendMany" && r.ratio !== null) {
      out.push(
        `Node sendMany >= 0.50 of native at ${r.scenario}: ${r.ratio.toFixed(2)} (${r.ratio >= 0.5 ? "met" : "missed"})`,
      );
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = parseOptions(process.argv.slice(2));
  const { markdown } = await run({ ...options, build: !options.rest?.includes("--no-build"), files: !options.rest?.includes("--no-files") });
  process.stdout.write(markdown);
}
