// The README's JavaScript example runs as written (in a directory of its own, importing the
// package by its name), so the quick start never drifts from the API.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO, tempDir } from "./helpers.js";

test("the README's JavaScript example runs", (t) => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Using it from JavaScript"));
  const example = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(example?.includes('from "mqlite"'), "the README has a JS example");
  const dir = tempDir(t);
  const file = join(dir, "readme-example.mjs");
  writeFileSync(file, example);
  const out = execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8" });
  assert.match(out, /^\d+ \d+n? \w+/m, "it printed a record");
  assert.ok(readFileSync(join(dir, "orders-log/topics/orders.topic")).length > 0, "it kept the log in a directory");
});
