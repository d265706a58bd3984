// Packaging: the tarball `npm pack` makes installs into a fresh project and imports in Node
// (ESM, the "node" condition); and a Vite build of a page that imports it runs in Chromium
// (the "default" condition, the wasm file emitted as an asset and fetched from 127.0.0.1).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launch, serve } from "../browser/harness.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const work = join(root, "test/.work/package");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

let tarball;
let project;

before(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const packed = JSON.parse(run(npm, ["pack", "--json", "--pack-destination", work], root));
  tarball = join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  assert.ok(files.includes("native/mqlite_native_bg.wasm"), "the wasm module is in the tarball");
  assert.ok(files.includes("src/index.d.ts"), "the declarations are in the tarball");
  assert.ok(!files.some((f) => f.startsWith("test/")), "tests are not");
  project = join(work, "app");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  run(npm, ["install", "--no-audit", "--no-fund", "--offline", tarball], project);
});

after(() => rmSync(work, { recursive: true, force: true }));

test("the packed tarball imports in Node and keeps a log in a directory", () => {
  const script = `
    import { open } from "mqlite";
    const log = await open("./log");
    await log.createTopic("t");
    await log.producer().sendMany("t", [{ value: "from the tarball" }]);
    await log.close();
    const again = await open("./log");
    const [record] = await again.consumer({ topics: ["t"] }).poll();
    console.log(new TextDecoder().decode(record.value));
    await again.close();`;
  const out = run(process.execPath, ["--input-type=module", "-e", script], project);
  assert.equal(out.trim(), "from the tarball");
  assert.ok(existsSync(join(project, "log/t-0/00000000000000000000.log")));
});

test("a Vite build of a page using the package runs in Chromium", { timeout: 120_000 }, async () => {
  writeFileSync(
    join(project, "index.html"),
    `<!doctype html><meta charset="utf-8"><script type="module" src="/main.js"></script>`,
  );
  writeFileSync(
    join(project, "main.js"),
    `import { open } from "mqlite";
    const log = await open("bundled");
    if (!log.topics().includes("t")) await log.createTopic("t", { partitions: 2 });
    const producer = log.producer();
    await producer.send("t", { key: "k", value: "bundled page" });
    await producer.flush();
    const records = await log.consumer({ topics: ["t"] }).poll({ maxRecords: 100 });
    await log.close();
    window.result = records.map((r) => new TextDecoder().decode(r.value));`,
  );
  const vite = join(root, "node_modules/vite/bin/vite.js");
  run(process.execPath, [vite, "build", "--logLevel", "warn"], project);
  const assets = readdirSync(join(project, "dist/assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `the wasm module is emitted: ${assets}`);

  const server = await serve({ root: join(project, "dist") });
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    for (const expected of [["bundled page"], ["bundled page", "bundled page"]]) {
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => window.result !== undefined || null, null, { timeout: 30_000 });
      assert.deepEqual(await page.evaluate(() => window.result), expected, errors.join("\n"));
    }
  } finally {
    await browser.close();
    await server.close();
  }
});
