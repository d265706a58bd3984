// Scenario 7 (BENCH.md) in headless Chromium: 10k and 100k records of 100 B persisted to
// IndexedDB by mqlite (the npm package's browser entry), next to raw IndexedDB puts (one
// transaction per record, and one per 1000 records) and Dexie's bulkPut, at relaxed and
// strict durability, in the same page, runs interleaved. The page side is browser_page.js;
// the server and the browser are js/test/browser/harness.js's.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { context, HERE, JS_ROOT, log, parseOptions, ratioTo, row, treeCpu, writeReport } from "./common.mjs";
import { RECORD_BYTES } from "./payload.mjs";

const SIZES = [10_000, 100_000];
/** Raw IndexedDB with a transaction per record costs about a millisecond per record here:
 * it runs on this many records, whatever the size (the rate does not depend on it). */
const PER_RECORD_CAP = 2_000;
const SEND_BATCH = 1000;
/** Raw IndexedDB a transaction per 1000 puts and Dexie's bulkPut cost 50 to 90 µs per record
 * here, so at 100k (four such rows, six rounds: about three minutes) they alone would pass two
 * minutes: above this many records they run on this many (`--no-caps` lifts it). */
const PEER_CAP = 20_000;

function pageBody() {
  const payload = readFileSync(join(HERE, "payload.mjs"), "utf8").replace(/^export /gm, "");
  return `${readFileSync(join(HERE, "browser_page.js"), "utf8")}\n${payload}`;
}

/** The main Chromium process of a profile (its command line names the profile directory). */
function chromiumPid(userDataDir) {
  for (const entry of readdirSyncSafe("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (cmdline.includes(`--user-data-dir=${userDataDir}`) && !cmdline.some((a) => a.startsWith("--type="))) {
        return Number(entry);
      }
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

function readdirSyncSafe(path) {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** The cases: each a row (system, durability) and the page's system and parameters. */
function cases(sizes, caps) {
  const out = [];
  for (const count of sizes) {
    const n = `${count / 1000}k`;
    const peerCount = caps ? Math.min(count, PEER_CAP) : count;
    out.push(
      {
        key: `mq-strict-${n}`,
        count,
        size: count,
        durability: "strict",
        system: `mqlite sendMany x${SEND_BATCH}, then flush()`,
        detail: "durability memory: one strict transaction at flush",
        page: ["mqlite-sendMany", { count, batch: SEND_BATCH, durability: "memory", finish: "flush" }],
        reference: true,
        check: true,
      },
      {
        key: `mq-relaxed-${n}`,
        count,
        size: count,
        durability: "relaxed",
        system: `mqlite sendMany x${SEND_BATCH}, then persist({strict:false})`,
        detail: "durability memory: one relaxed transaction",
        page: ["mqlite-sendMany", { count, batch: SEND_BATCH, durability: "memory", finish: "relaxed" }],
        reference: true,
      },
      {
        key: `mq-write-${n}`,
        count,
        size: count,
        durability: "relaxed per call",
        system: `mqlite sendMany x${SEND_BATCH}, then flush()`,
        detail: "durability write: each call waits for a relaxed background persist; flush then makes them durable with one small strict commit",
        page: ["mqlite-sendMany", { count, batch: SEND_BATCH, durability: "write", finish: "flush" }],
      },
      {
        key: `mq-fsync-${n}`,
        count,
        size: count,
        durability: "strict per call",
        system: `mqlite sendMany x${SEND_BATCH}`,
        detail: "durability fsync: each call waits for its strict transaction",
        page: ["mqlite-sendMany", { count, batch: SEND_BATCH, durability: "fsync", finish: "none" }],
      },
      {
        key: `mq-send-${n}`,
        count,
        size: count,
        durability: "strict",
        system: "mqlite send per record, then flush()",
        detail: "default producer (lingerMs 5, batchBytes 16 KiB, durability write): one strict transaction at flush",
        page: ["mqlite-send", { count }],
      },
    );
    for (const durability of ["relaxed", "strict"]) {
      out.push({
        key: `raw1000-${durability}-${n}`,
        count: peerCount,
        size: count,
        durability,
        system: "IndexedDB, a transaction per 1000 puts",
        page: ["raw", { count: peerCount, per: 1000, durability }],
        peer: true,
      });
    }
    for (const durability of ["relaxed", "strict"]) {
      out.push({
        key: `dexie-${durability}-${n}`,
        count: peerCount,
        size: count,
        durability,
        system: "Dexie bulkPut (one call)",
        page: ["dexie", { count: peerCount, durability }],
        peer: true,
      });
    }
  }
  for (const durability of ["relaxed", "strict"]) {
    out.push({
      key: `raw1-${durability}`,
      count: PER_RECORD_CAP,
      size: null,
      durability,
      system: "IndexedDB, a transaction per put",
      page: ["raw", { count: PER_RECORD_CAP, per: 1, durability }],
      peer: true,
      capped: true,
    });
  }
  return out;
}

export async function run(options = {}) {
  const { runs = 5, records = null, out, verbose = false, caps = true } = options;
  const { serve, launch, page, CHROMIUM } = await import(join(JS_ROOT, "test", "browser", "harness.js"));
  const sizes = records === null ? SIZES : [records];
  const all = cases(sizes, caps);
  const server = await serve({ pages: { "/bench.html": page(pageBody()) } });
  const browser = await launch();
  const started = performance.now();
  let report;
  let ctx;
  try {
    const tab = await browser.context.newPage();
    const errors = [];
    tab.on("pageerror", (error) => errors.push(error));
    tab.on("console", (message) => {
      if (verbose || message.type() === "warning" || message.type() === "error") log(`  page ${message.type()}: ${message.text()}`);
    });
    await tab.goto(`${server.url}/bench.html`);
    await tab.waitForFunction(() => window.benchReady === true || window.benchError, null, { timeout: 30_000 }).catch(() => {});
    if (errors.length > 0) throw errors[0];
    let version = "unknown";
    try {
      version = /Chromium ([\d.]+)/.exec(execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }))?.[1] ?? version;
    } catch {
      // the row figures do not depend on it
    }
    ctx = context({ chromium: version, headless: true });
    log(`browser-indexeddb at ${ctx.commit}, Chromium ${version}; ${runs} runs after a warm-up`);
    const inputsMs = await tab.evaluate((n) => window.bench.inputs(n), Math.max(...sizes, PER_RECORD_CAP));
    if (verbose) log(`  inputs made in ${inputsMs.toFixed(0)} ms`);
    const pid = chromiumPid(browser.userDataDir);
    if (pid === null) log("browser-indexeddb: Chromium's process not found; no CPU figures");

    const samples = new Map(all.map((c) => [c.key, []]));
    for (let round = 0; round <= runs; round++) {
      for (const c of all) {
        await tab.evaluate(([system, params]) => window.bench.setup(system, params), c.page);
        const cpu0 = pid === null ? null : treeCpu(pid);
        const wall = await tab.evaluate(() => window.bench.timed());
        const cpu1 = pid === null ? null : treeCpu(pid);
        await tab.evaluate((check) => window.bench.teardown(check), round === 0 && Boolean(c.check));
        const sample = {
          wall_s: wall,
          cpu_s: cpu0 === null ? null : cpu1.total - cpu0.total,
          sys_s: cpu0 === null ? null : cpu1.sys - cpu0.sys,
        };
        if (round > 0) samples.get(c.key).push(sample);
        if (verbose) log(`  ${round === 0 ? "warm-up" : `run ${round}`} ${c.key}: ${wall.toFixed(3)} s`);
      }
    }

    const rows = [];
    const byKey = new Map();
    for (const c of all) {
      const scenario =
        c.size === null
          ? `100 B, ${c.count / 1000}k records (capped), ${c.durability}`
          : c.count < c.size
            ? `100 B, ${c.size / 1000}k records (capped: ${c.count / 1000}k), ${c.durability}`
            : `100 B, ${c.size / 1000}k records, ${c.durability}`;
      const r = row({
        system: c.system,
        scenario,
        durability: c.durability,
        count: c.count,
        bytes: c.count * RECORD_BYTES,
        samples: samples.get(c.key),
        extra: c.detail ? { detail: c.detail } : {},
      });
      byKey.set(c.key, r);
    }
    const reference = (count, durability) =>
      byKey.get(`mq-${durability === "relaxed" ? "relaxed" : "strict"}-${count / 1000}k`);
    for (const c of all) {
      const r = byKey.get(c.key);
      if (c.peer && !c.capped) ratioTo(r, reference(c.size, c.durability), "mqlite/this", { inverse: true });
      if (c.capped) ratioTo(r, reference(Math.max(...sizes), c.durability), `mqlite ${Math.max(...sizes) / 1000}k/this`, { inverse: true });
      rows.push(r);
    }
    const targets = [];
    for (const count of sizes) {
      const mq = reference(count, "strict");
      const mqRelaxed = reference(count, "relaxed");
      targets.push(
        `mqlite ${count / 1000}k records persisted (strict, one flush) at ${Math.round(mq.per_s).toLocaleString("en")} records/s: ` +
          `target >= 100,000 ${count === 100_000 ? (mq.per_s >= 100_000 ? "(met)" : "(missed)") : "(applies to 100k)"}`,
      );
      for (const [d, ref] of [["strict", mq], ["relaxed", mqRelaxed]]) {
        const raw = byKey.get(`raw1-${d}`);
        const ratio = ref.per_s / raw.per_s;
        targets.push(
          `mqlite ${count / 1000}k (${d}) / raw IndexedDB a transaction per put (${d}): ${ratio.toFixed(0)}x: target >= 20x (${ratio >= 20 ? "met" : "missed"})`,
        );
      }
    }
    const notes = [
      `mqlite: open(name) on a fresh IndexedDB database, createTopic and the producer made before timing; the timed ` +
        `part is the sends and the persist named in the row, until its promise resolves (its transaction completed). ` +
        `sendMany gets arrays of ${SEND_BATCH} messages { value } (views of one buffer), built before timing. ` +
        `Producer batchBytes 4 MiB, lingerMs 1,000,000 for the sendMany rows`,
      "durability: strict = the transaction was committed with { durability: 'strict' } (Chromium flushes it to disk " +
        "before complete); relaxed = { durability: 'relaxed' } (complete once the data is with the storage backend, " +
        "not necessarily on disk). mqlite's flush() persists strictly; its background persist (producer durability " +
        "'write', scheduled as a microtask after each append) is relaxed; producer durability 'fsync' waits for a " +
        "strict persist per call; 'memory' persists nothing until flush()/persist()",
      `raw IndexedDB: one object store, out-of-line numeric keys, values one 100 B Uint8Array each (its own buffer); ` +
        `each transaction awaited (oncomplete) before the next. A transaction per put runs on ${PER_RECORD_CAP.toLocaleString("en")} ` +
        `records (about 1 ms per transaction here, so 100k would take minutes), measured once and compared with both ` +
        `sizes: its records/s is what a longer run extrapolates to (per-transaction cost does not depend on the count)`,
      `raw IndexedDB a transaction per 1000 puts and Dexie's bulkPut ${caps ? `run on at most ${PEER_CAP.toLocaleString("en")} records per run ` + "(50 to 90 µs a record here, so at 100k these four rows alone would take about three minutes); a capped row's " + "records/s is compared with mqlite's at the full size. Their cost per record grows with the count (at 100k it " + "was 1.3 to 1.6x the 10k figure in a --no-caps run), so a capped row flatters the peer; `--no-caps` runs them at " + "full size" : "ran at full size (--no-caps)"}`,
      "Dexie 4: new Dexie(name, { chromeTransactionDurability }), one table with out-of-line keys, one bulkPut(values, " +
        "keys) of all records (Dexie makes it one transaction)",
      "every case: fresh database (deleted before setup and after teardown, untimed); the warm-up round also reopens " +
        "mqlite's strict rows from IndexedDB and checks every record's bytes",
      "ratio: on peer rows, mqlite's records/s at the same size and durability (the 'then flush()' strict row or the " +
        "relaxed persist row) over this row's: how many times faster mqlite is",
      "CPU s: every Chromium process (browser, renderer, utilities: IndexedDB commits run outside the page's " +
        "renderer) from /proc/<pid>/stat, 10 ms ticks, so the 10k rows' figures are coarse; sys in parentheses",
      "payload: the Rust bench's 100 B JSON-like values (same seed, same bytes), generated in the page",
    ];
    report = {
      scenario: "js-browser-indexeddb",
      title: "Scenario 7: records persisted to IndexedDB in headless Chromium (100 B records)",
      durability: "IndexedDB transaction durability per row (strict or relaxed), stated in the scenario column",
      runs,
      rows,
      targets,
      notes,
    };
  } finally {
    await browser.close();
    await server.close();
  }
  const written = writeReport(report, ctx, out);
  log(`browser-indexeddb took ${((performance.now() - started) / 1000).toFixed(0)} s; wrote ${written.paths.join(", ")}`);
  return { report, ctx, ...written };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = parseOptions(process.argv.slice(2));
  const { markdown } = await run({ ...options, caps: !options.rest?.includes("--no-caps") });
  process.stdout.write(markdown);
}
