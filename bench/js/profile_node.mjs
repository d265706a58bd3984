// Where the Node rows' time goes: runs one row of node_append.mjs (in memory) under V8's
// sampling profiler (node:inspector) and prints self time by layer (JS binding, wasm-bindgen
// glue, the wasm binding's unpacking, the engine, CRC, allocator and memory copies, GC) and
// the top functions. Prints only; writes nothing.
//
//   node bench/js/profile_node.mjs [sendMany|send] [--batch N] [--records N] [--runs N]
//   node bench/js/profile_node.mjs sendMany --batch 256 --src /tmp/patched/src   # a patched copy

import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { JS_ROOT } from "./common.mjs";
import { pool } from "./payload.mjs";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const mode = args[0] && !args[0].startsWith("-") ? args[0] : "sendMany";
if (!["sendMany", "send"].includes(mode)) throw new Error(`mode is sendMany or send, not ${mode}`);
const batch = Number(flag("--batch", 256));
const records = Math.floor(Number(flag("--records", 1_000_000)) / batch) * batch;
const runs = Number(flag("--runs", 3));
const src = flag("--src", join(JS_ROOT, "src"));
const { open } = await import(join(src, "node.js"));
const { messages } = pool();
const TOPIC = "bench";

async function once() {
  const log = await open();
  await log.createTopic(TOPIC);
  const producer = log.producer({ lingerMs: 1_000_000, batchBytes: 4 << 20, durability: "write" });
  const t0 = performance.now();
  if (mode === "sendMany") {
    for (let i = 0; i < records; i += batch) {
      const start = i % messages.length;
      await producer.sendMany(TOPIC, messages.slice(start, start + batch));
    }
  } else {
    const pending = new Array(batch);
    for (let i = 0; i < records; i += batch) {
      const start = i % messages.length;
      for (let j = 0; j < batch; j++) pending[j] = producer.send(TOPIC, messages[start + j]);
      await producer.flush();
      await Promise.all(pending);
    }
  }
  const wall = (performance.now() - t0) / 1000;
  await log.close();
  return wall;
}

await once(); // warm-up, not profiled
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
const walls = [];
for (let r = 0; r < runs; r++) walls.push(await once());
const { profile } = await session.post("Profiler.stop");
session.disconnect();

const LAYERS = [
  ["GC", (f) => f.functionName === "(garbage collector)"],
  ["JS: pack.js (prepare, pack)", (f) => f.url.endsWith("/pack.js")],
  ["JS: log.js (Producer, Log)", (f) => f.url.endsWith("/log.js") || f.url.endsWith("/errors.js")],
  ["JS: wasm-bindgen glue (mqlite_native.js)", (f) => f.url.endsWith("/mqlite_native.js")],
  ["wasm: crc32fast", (f) => f.functionName.includes("crc32fast")],
  ["wasm: allocator, memcpy, realloc", (f) => /dlmalloc|__rdl_|__rust_(alloc|dealloc|realloc)|memcpy|memmove|memset|raw_vec|RawVec/.test(f.functionName)],
  ["wasm: binding (unpack, Bytes refcounts, with_log, results)", (f) => /mqlite_wasm|bytes::|nativeproducer_|wasm_bindgen|__wbindgen/.test(f.functionName)],
  ["wasm: engine (mqlite core)", (f) => /mqlite::|alloc::collections|core::|alloc::/.test(f.functionName) || f.url.includes(".wasm")],
  ["bench loop and other JS", (f) => f.url.startsWith("file:") || f.url.startsWith("node:")],
  ["idle and other", () => true],
];

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const layers = new Map(LAYERS.map(([name]) => [name, 0]));
const functions = new Map();
let total = 0;
for (const [id, us] of self) {
  const frame = byId.get(id).callFrame;
  if (frame.functionName === "(idle)" || frame.functionName === "(program)") continue;
  total += us;
  const layer = LAYERS.find(([, test]) => test(frame))[0];
  layers.set(layer, layers.get(layer) + us);
  const key = `${frame.functionName || "(anonymous)"}  ${frame.url.split("/").pop()}`;
  functions.set(key, (functions.get(key) ?? 0) + us);
}
const perRecord = (us) => (us * 1000) / (records * runs);
console.log(`${mode}, batch ${batch}, ${records} records x ${runs} runs; wall per run ${walls.map((w) => w.toFixed(3)).join(", ")} s`);
console.log(`records/s (median run): ${(records / walls.sort((a, b) => a - b)[walls.length >> 1] / 1e6).toFixed(2)} M\n`);
console.log("| layer | self ms | share | ns/record |\n|---|--:|--:|--:|");
for (const [name, us] of [...layers].sort((a, b) => b[1] - a[1])) {
  if (us === 0) continue;
  console.log(`| ${name} | ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)}% | ${perRecord(us).toFixed(0)} |`);
}
console.log(`| total (busy) | ${(total / 1000).toFixed(0)} | 100% | ${perRecord(total).toFixed(0)} |\n`);
console.log("top functions (self):");
for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${perRecord(us).toFixed(0).padStart(5)} ns/rec  ${name.replace(/::h[0-9a-f]{16}/, "")}`);
}
