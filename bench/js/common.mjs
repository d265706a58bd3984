// What the JS benchmarks share: the machine and commit, timing (wall and CPU), medians and
// spreads, and the result files (JSON + Markdown with the Rust bench's columns,
// bench/src/report.rs), written as bench/results/<scenario>-<UTC stamp>.json and .md.

import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, "../..");
export const JS_ROOT = join(REPO, "js");
export const RESULTS = join(REPO, "bench", "results");

function git(args) {
  try {
    return execFileSync("git", args, { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

/** `YYYY-MM-DDTHH:MM:SSZ`. */
export function utcNow() {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

/** The machine and commit, as the Rust bench's `machine::Context` (plus Node's version). */
export function context(extra = {}) {
  const head = git(["rev-parse", "--short", "HEAD"]) ?? "unknown";
  const dirty = (git(["status", "--porcelain", "--untracked-files=no"]) ?? "") !== "";
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu_model: (os.cpus()[0]?.model ?? "unknown").trim(),
    kernel: os.release(),
    memory_gib: os.totalmem() / 1024 ** 3,
    commit: dirty ? `${head}-dirty` : head,
    started_utc: utcNow(),
    node: process.version,
    ...extra,
  };
}

/** This process's CPU time so far, seconds (every thread: user + kernel, from getrusage). */
export function processCpu() {
  const { user, system } = process.cpuUsage();
  return { total: (user + system) / 1e6, sys: system / 1e6 };
}

/** utime + stime of a process, in seconds (10 ms ticks); null when it is gone. */
export function pidCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the name: state is field 3, so utime (14) is [11], stime (15) is [12].
    return { total: (Number(fields[11]) + Number(fields[12])) / 100, sys: Number(fields[12]) / 100 };
  } catch {
    return null;
  }
}

/** `pid` and every process descended from it. */
export function processTree(pid) {
  const children = new Map();
  for (const entry of readdirSafe("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const stack = [pid];
  while (stack.length > 0) {
    const next = stack.pop();
    out.push(next);
    stack.push(...(children.get(next) ?? []));
  }
  return out;
}

function readdirSafe(path) {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** The CPU seconds used so far by a process tree (processes that ended are not counted). */
export function treeCpu(pid) {
  let total = 0;
  let sys = 0;
  for (const p of processTree(pid)) {
    const cpu = pidCpu(p);
    if (cpu) {
      total += cpu.total;
      sys += cpu.sys;
    }
  }
  return { total, sys };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A row from samples `[{ wall_s, cpu_s, sys_s }]`: rates come from the median wall time, CPU
 * is the median CPU, spread is (slowest - fastest) / median. `count` records per run,
 * `bytes` value bytes per run.
 */
export function row({ system, scenario, durability, count, bytes, samples, unit = "records", extra = {} }) {
  const walls = samples.map((s) => s.wall_s);
  const wall = median(walls);
  const cpu = samples.every((s) => s.cpu_s !== null && s.cpu_s !== undefined) ? median(samples.map((s) => s.cpu_s)) : null;
  const sys = samples.every((s) => s.sys_s !== null && s.sys_s !== undefined) ? median(samples.map((s) => s.sys_s)) : null;
  return {
    system,
    scenario,
    durability,
    unit,
    count,
    per_s: count / Math.max(wall, 1e-12),
    mb_per_s: bytes === undefined || bytes === null ? null : bytes / Math.max(wall, 1e-12) / 1e6,
    wall_s: wall,
    runs_wall_s: walls,
    spread: (Math.max(...walls) - Math.min(...walls)) / Math.max(wall, 1e-12),
    cpu_s: cpu,
    sys_s: sys,
    p50_us: null,
    p99_us: null,
    ratio: null,
    ratio_of: null,
    ...extra,
  };
}

/** `row` with `ratio` = row/reference (or reference/row when `inverse`), labelled `what`. */
export function ratioTo(target, reference, what, { inverse = false } = {}) {
  if (!reference) return target;
  target.ratio = inverse ? reference.per_s / Math.max(target.per_s, 1e-12) : target.per_s / Math.max(reference.per_s, 1e-12);
  target.ratio_of = what;
  return target;
}

export function si(value) {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} G`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return value.toFixed(0);
}

const opt = (v, digits) => (v === null || v === undefined ? "-" : v.toFixed(digits));

/** The report as Markdown, laid out as the Rust bench's tables. */
export function markdown(report, ctx) {
  const lines = [];
  lines.push(`## ${report.title}`, "");
  lines.push(`- commit \`${ctx.commit}\`, started ${ctx.started_utc}`);
  const runtime = [`Node ${ctx.node}`, ctx.chromium ? `Chromium ${ctx.chromium}` : null].filter(Boolean).join(", ");
  lines.push(`- machine: ${ctx.nproc} x ${ctx.cpu_model}, ${ctx.memory_gib.toFixed(1)} GiB, Linux ${ctx.kernel}; ${runtime}`);
  lines.push(`- durability: ${report.durability}`);
  lines.push(
    `- median of ${report.runs} runs after one warm-up; rates come from the median wall time; spread is (slowest - fastest) / median`,
  );
  lines.push("");
  lines.push("| system | scenario | count | records/s | MB/s | wall s (spread) | CPU s (sys) | ratio |");
  lines.push("|---|---|--:|--:|--:|--:|--:|--:|");
  for (const r of report.rows) {
    const rate = r.unit === "records" ? si(r.per_s) : `${si(r.per_s)} ${r.unit}`;
    const mb = r.mb_per_s === null ? "-" : r.mb_per_s.toFixed(r.mb_per_s < 10 ? 1 : 0);
    const cpu = r.cpu_s === null ? "-" : `${r.cpu_s.toFixed(3)} (${opt(r.sys_s, 2)})`;
    const ratio = r.ratio === null ? "-" : `${r.ratio.toFixed(2)} (${r.ratio_of})`;
    const count = r.count_note ? `${si(r.count)} ${r.count_note}` : si(r.count);
    lines.push(
      `| ${r.system} | ${r.scenario} | ${count} | ${rate} | ${mb} | ${r.wall_s.toFixed(3)} (${(r.spread * 100).toFixed(0)}%) | ${cpu} | ${ratio} |`,
    );
  }
  if (report.targets?.length) {
    lines.push("", "Targets:", "");
    for (const t of report.targets) lines.push(`- ${t}`);
  }
  if (report.notes?.length) {
    lines.push("", "Notes:", "");
    for (const n of report.notes) lines.push(`- ${n}`);
  }
  return lines.join("\n") + "\n";
}

/** Writes `<out>/<scenario>-<stamp>.json` and `.md`; returns their paths. */
export function writeReport(report, ctx, out = RESULTS) {
  mkdirSync(out, { recursive: true });
  const stamp = ctx.started_utc.replace(/[-:]/g, "");
  const base = join(out, `${report.scenario}-${stamp}`);
  const md = markdown(report, ctx);
  writeFileSync(`${base}.json`, JSON.stringify({ context: ctx, ...report }, null, 2) + "\n");
  writeFileSync(`${base}.md`, md);
  return { paths: [`${base}.json`, `${base}.md`], markdown: md };
}

/** Options shared by the scenarios: `--runs N`, `--records N`, `--out PATH`, `--quick`. */
export function parseOptions(argv) {
  const options = { runs: 5, records: null, out: RESULTS, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "--runs") options.runs = Math.max(1, Number(value()));
    else if (arg === "--records") options.records = Math.max(1, Number(String(value()).replace(/_/g, "")));
    else if (arg === "--out") options.out = resolve(value());
    else if (arg === "--verbose" || arg === "-v") options.verbose = true;
    else options.rest = [...(options.rest ?? []), arg];
  }
  return options;
}

export function log(...args) {
  process.stderr.write(args.join(" ") + "\n");
}
