// What the browser tests share: a session (the harness's server on 127.0.0.1 and headless
// Chromium with a profile of its own that survives relaunches), pages with the package loaded,
// and a real crash of the browser (SIGKILL of its processes, found by their profile).

import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, page, serve } from "./harness.js";

/** Every test's page: the package as `window.mqlite`, the test records as `window.records`. */
const BLANK = page(`
import * as mqlite from "mqlite";
import * as records from "/test/browser/records.js";
window.mqlite = mqlite;
window.records = records;
window.mqliteReady = true;
`);

/** A database name no other test uses. */
export function dbName(label) {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A server and a browser over one profile directory. `newPage()` opens a page with the package
 * loaded; `crash()` SIGKILLs the browser; `relaunch()` starts it again over the same profile.
 * `pageErrors` collects uncaught errors of every page.
 */
export async function session() {
  const server = await serve({ pages: { "/blank.html": BLANK } });
  const profile = mkdtempSync(join(tmpdir(), "mqlite-browser-test-"));
  let browser = await launch({ userDataDir: profile });
  // Found once per launch, so a crash costs one kill(2) before anything else.
  let browserPid = browserProcesses(profile).browser;
  const pageErrors = [];
  const self = {
    url: server.url,
    profile,
    pageErrors,
    get context() {
      return browser.context;
    },
    async newPage() {
      const p = await browser.context.newPage();
      p.on("pageerror", (error) => pageErrors.push(error));
      await self.load(p);
      return p;
    },
    /** Navigates `p` to the test page (again) and waits for the package to load. */
    async load(p) {
      await p.goto(`${server.url}/blank.html`);
      await p.waitForFunction(() => window.mqliteReady === true, null, { timeout: 15_000 });
    },
    /** Reloads `p` (a fresh document: no JS state survives) and waits for the package. */
    async reload(p) {
      await p.reload();
      await p.waitForFunction(() => window.mqliteReady === true, null, { timeout: 15_000 });
    },
    /** Kills every process of this browser with SIGKILL, the browser process first. */
    async crash() {
      const killed = killBrowser(profile, browserPid);
      await waitForExit([killed.browser, ...killed.others]);
      await browser.close(); // Playwright's bookkeeping only: the processes are gone
      return killed;
    },
    async relaunch() {
      browser = await launch({ userDataDir: profile });
      browserPid = browserProcesses(profile).browser;
    },
    async close() {
      await browser.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
  return self;
}

function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return null;
  }
}

function alive(pid) {
  const stat = readProc(pid, "stat");
  if (stat === null) return false;
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}

/**
 * The processes of the Chromium using `profile`: `{ browser, others }`. The browser process is
 * the Chromium binary without `--type=` (its children have one; the /usr/bin/chromium wrapper
 * script is not the binary). Chromium rewrites its command line, so the whole of it is matched.
 */
export function browserProcesses(profile) {
  const flag = `--user-data-dir=${profile}`;
  let browser = null;
  const others = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const cmdline = readProc(pid, "cmdline");
    if (cmdline === null || !cmdline.split(/[\0 ]/).includes(flag) || !alive(pid)) continue;
    let exe = "";
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {}
    if (!cmdline.includes("--type=") && /chrom/.test(exe) && !/\/(ba|da)?sh$/.test(exe)) browser = pid;
    else others.push(pid);
  }
  return { browser, others };
}

/**
 * SIGKILLs the browser process of `profile` (`knownPid` when given: no search first), then
 * every other process of it, by pid.
 */
export function killBrowser(profile, knownPid = null) {
  if (knownPid !== null) process.kill(knownPid, "SIGKILL");
  const found = browserProcesses(profile);
  const browser = knownPid ?? found.browser;
  const others = found.others.filter((pid) => pid !== browser);
  if (browser === null) throw new Error(`no Chromium browser process found for ${profile}`);
  if (knownPid === null) process.kill(browser, "SIGKILL");
  for (const pid of others) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  return { browser, others };
}

/** Waits until no process of `profile` is left (after `killBrowser`). */
export async function waitForExit(pids, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (pids.some(alive)) {
    if (Date.now() > deadline) throw new Error(`processes still alive: ${pids.filter(alive)}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Rejects after `ms` with `what` in the message: a bound for waits that have none. */
export function within(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
