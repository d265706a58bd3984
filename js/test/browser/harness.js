// Real-browser test and benchmark harness: a static server on 127.0.0.1 for the package (src/,
// native/, node_modules/) and for pages, and headless Debian Chromium driven by playwright-core.
// Pages import the package as "mqlite" through an import map, exactly as a plain
// `<script type="module">` page would.

import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { chromium } from "playwright-core";

export const PACKAGE_ROOT = resolve(new URL("../..", import.meta.url).pathname);

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css",
};

/** The import map every page uses: "mqlite" is the package's browser entry. */
export const IMPORT_MAP = `<script type="importmap">${JSON.stringify({
  imports: { mqlite: "/src/browser.js", dexie: "/node_modules/dexie/dist/dexie.mjs" },
})}</script>`;

/** A page whose module script is `body` (with `mqlite` importable). */
export function page(body) {
  return `<!doctype html><meta charset="utf-8">${IMPORT_MAP}<script type="module">${body}</script>`;
}

/**
 * Serves `root` (the package by default) on 127.0.0.1, plus `pages`: a map of path to HTML.
 * Returns `{ url, close }`.
 */
export async function serve({ root = PACKAGE_ROOT, pages = {} } = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (pages[path] !== undefined) {
      res.writeHead(200, { "content-type": TYPES[".html"], "cache-control": "no-store" });
      res.end(pages[path]);
      return;
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const target = statSync(file).isDirectory() ? join(file, "index.html") : file;
      const body = readFileSync(target);
      res.writeHead(200, {
        "content-type": TYPES[extname(target)] ?? "application/octet-stream",
        "cache-control": "no-store",
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/**
 * Launches headless Chromium with a profile directory of its own (so IndexedDB survives a
 * page reload, and a relaunch when `userDataDir` is passed again). Returns `{ context,
 * userDataDir, close }`; `close` also deletes a profile it made.
 */
export async function launch({ userDataDir } = {}) {
  const made = userDataDir === undefined;
  const dir = userDataDir ?? mkdtempSync(join(tmpdir(), "mqlite-chromium-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    userDataDir: dir,
    close: async () => {
      await context.close().catch(() => {});
      if (made) rmSync(dir, { recursive: true, force: true });
    },
  };
}
