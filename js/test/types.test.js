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
  const browserSource = readFileSync(new URL("../src/browser.js", import.meta.url), "utf8");
  const errorsSource = readFileSync(new URL("../src/errors.js", import.meta.url), "utf8");
  for (const name of declared) {
    const inBrowser = new RegExp(`\\b${name}\\b`).test(browserSource) || new RegExp(`\\b${name}\\b`).test(errorsSource);
    assert.ok(inBrowser, `browser entry exports ${name}`);
  }
});
