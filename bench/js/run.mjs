// The JS benchmarks' one command: `node bench/js/run.mjs [node|browser|all] [options]`.
// Each scenario prints its Markdown table to stdout and writes
// bench/results/js-<scenario>-<UTC stamp>.json and .md. bench/README.md says what the rows mean.

import { parseOptions } from "./common.mjs";

const USAGE = `usage: node bench/js/run.mjs [node|browser|all] [--runs N] [--records N] [--out PATH]
                               [--verbose] [--no-build] [--no-files] [--no-caps]

  node      scenario 1 in Node: sendMany / send through the npm package (wasm) next to the same
            engine native (bench/js/native-peer), in memory; and file-backed next to mqlite-bench
  browser   scenario 7 in headless Chromium: records persisted to IndexedDB by mqlite next to raw
            IndexedDB (a transaction per put, per 1000 puts) and Dexie's bulkPut, relaxed/strict
  all       both (the default)

  --runs N      measured runs after one warm-up; the median is reported (default 5)
  --records N   node: records per run of every row (default 1,000,000; batch 1: 100,000; default
                producer: 200,000; files: 200,000); browser: the one size to run instead of 10k
                and 100k
  --out PATH    where result files go (default bench/results)
  --verbose     every run's wall time on stderr
  --no-build    node: do not run cargo build for the native peer (it must exist)
  --no-files    node: skip the file-backed rows
  --no-caps     browser: raw IndexedDB per 1000 puts and Dexie at full size (several minutes)`;

const options = parseOptions(process.argv.slice(2));
const rest = options.rest ?? [];
const which = rest.find((a) => !a.startsWith("-")) ?? "all";
if (!["node", "browser", "all"].includes(which) || rest.includes("-h") || rest.includes("--help")) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(rest.includes("-h") || rest.includes("--help") ? 0 : 2);
}
const unknown = rest.filter((a) => a.startsWith("-") && !["--no-build", "--no-files", "--no-caps"].includes(a));
if (unknown.length > 0) {
  process.stderr.write(`unknown option ${unknown[0]}\n\n${USAGE}\n`);
  process.exit(2);
}

if (which === "node" || which === "all") {
  const { run } = await import("./node_append.mjs");
  const { markdown } = await run({ ...options, build: !rest.includes("--no-build"), files: !rest.includes("--no-files") });
  process.stdout.write(`${markdown}\n`);
}
if (which === "browser" || which === "all") {
  const { run } = await import("./browser_indexeddb.mjs");
  const { markdown } = await run({ ...options, caps: !rest.includes("--no-caps") });
  process.stdout.write(`${markdown}\n`);
}
