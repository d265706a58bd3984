// The TypeScript declarations: a typed usage file checks under `tsc --noEmit --strict`, and
// every name the declarations promise is exported by both entries.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

test("the typed usage file type-checks against the declarations", () => {
  const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
  execFileSync(process.execPath, [tsc, "-p", "test/types"], { cwd: root, stdio: "inherit" });
});

test("every declared value export exists in the Node and browser entries", async () => {
  const declarations = readFileSync(new URL("../src/index.d.ts", import.meta.url), "utf8");
  const declared = [...declarations.matchAll(/^export declare (?:class|function|const) (\w+)/gm)].map((m) => m[1]);
  assert.ok(declared.length > 25);
  const node = await import("../src/node.js");
  for (const name of declared) assert.ok(name in node, `node entry exports ${name}`);
  // The browser entry loads its wasm only in open()/initialize(), so Node can import it.
  const browser = await import("../src/browser.js");
  for (const name of declared) assert.ok(name in browser, `browser entry exports ${name}`);
  assert.deepEqual(Object.keys(browser).sort(), Object.keys(node).sort(), "both entries export the same names");
});
