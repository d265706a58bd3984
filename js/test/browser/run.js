// `npm run test:browser`: the real-browser tests (*.test.js here), one file at a time.
// The same as `node --test --test-concurrency=1 test/browser/` from the package root.

import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here)
  .filter((f) => f.endsWith(".test.js"))
  .sort()
  .map((f) => join(here, f));
const { status, error } = spawnSync(process.execPath, ["--test", "--test-concurrency=1", ...process.argv.slice(2), ...files], {
  stdio: "inherit",
});
if (error) throw error;
process.exit(status ?? 1);
