// The browser storage adapter: a log in one IndexedDB database. Each write the engine hands
// over is one chunk, keyed [file name, position], in the object store "chunks"; one persist is
// one transaction, so a closed tab or a crash leaves the previous persist or this one, never
// part of it. Loading concatenates each file's chunks; a gap (which atomic transactions make
// impossible, but a damaged store might show) cuts the file there, and the engine's recovery
// then treats the cut as a torn tail. A strict persist with nothing new to write still commits
// (a marker under SYNC_KEY) when relaxed commits came before it, so that they are flushed too.
//
// The writer lock is a Web Lock named after the database: a second tab (or a second open in
// this one) gets LogLockedError while the first holds the log.

import { LogLockedError, StorageError } from "../errors.js";

const STORE = "chunks";
const MERGE_AT_CHUNKS = 64;
/** A key outside the chunks' [name, position] keys: a strict sync rewrites it, so that the
 * commit writes (and flushes) something. */
const SYNC_KEY = "mqlite:sync";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("transaction aborted"));
  });
}

function storageError(op, name, error) {
  return new StorageError(`IndexedDB ${op} ${name}: ${error?.message ?? error}`, { cause: error });
}

/** Logs open in this page, for where Web Locks are missing (other tabs then go unguarded). */
const openHere = new Set();

async function acquireLock(name) {
  const locks = globalThis.navigator?.locks;
  if (!locks) {
    if (openHere.has(name)) throw new LogLockedError(`the IndexedDB log "${name}" is already open in this page`);
    openHere.add(name);
    return () => openHere.delete(name);
  }
  let release;
  const held = new Promise((resolve) => (release = resolve));
  const granted = await new Promise((resolve) => {
    locks
      .request(`mqlite:${name}`, { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        return lock === null ? undefined : held;
      })
      .catch(() => resolve(false));
  });
  if (!granted) throw new LogLockedError(`the IndexedDB log "${name}" is open in another tab or call`);
  return release;
}

export class IndexedDbAdapter {
  #db;
  #name;
  #release;
  /** name -> sorted [position, length] of its chunks, to trim the one a truncation splits. */
  #chunks;
  /** Whether a relaxed commit has happened since the last strict one. */
  #relaxed = false;

  constructor(db, name, release, chunks) {
    this.#db = db;
    this.#name = name;
    this.#release = release;
    this.#chunks = chunks;
  }

  /** Opens (creating it if needed) the database `name`; returns the adapter and its files. */
  static async open(name, { readOnly = false } = {}) {
    if (!globalThis.indexedDB) throw new StorageError("IndexedDB is not available here");
    const release = readOnly ? () => {} : await acquireLock(name);
    let db;
    try {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      db = await request(req);
      const { files, chunks, cut } = await load(db);
      const adapter = new IndexedDbAdapter(db, name, release, chunks);
      if (!readOnly) await adapter.#merge(files, cut);
      return { adapter, files };
    } catch (error) {
      db?.close();
      release();
      throw error instanceof LogLockedError ? error : storageError("open", name, error);
    }
  }

  get location() {
    return this.#name;
  }

  /** Rewrites files stored in many chunks as one chunk each, so the next open reads fewer,
   * and drops the chunks past a gap (`cut`: name -> where the file was cut). */
  async #merge(files, cut) {
    const many = [...this.#chunks].filter(([, list]) => list.length >= MERGE_AT_CHUNKS);
    if (many.length === 0 && cut.size === 0) return;
    const tx = this.#db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    for (const [name, at] of cut) store.delete(IDBKeyRange.bound([name, at], [name, Infinity]));
    for (const [name] of many) {
      const bytes = files.get(name);
      store.delete(IDBKeyRange.bound([name, 0], [name, Infinity]));
      store.put(bytes, [name, 0]);
      this.#chunks.set(name, [[0, bytes.length]]);
    }
    await done(tx);
    this.#relaxed = true; // committed with the browser's default durability
  }

  /** Applies the engine's `changes` in one transaction; `strict` asks for a durable commit. */
  async apply(changes, { strict }) {
    let tx;
    try {
      tx = this.#db.transaction(STORE, "readwrite", { durability: strict ? "strict" : "relaxed" });
    } catch (error) {
      throw storageError("transaction", this.#name, error);
    }
    const store = tx.objectStore(STORE);
    const chunks = new Map([...this.#chunks].map(([name, list]) => [name, list.map((c) => c.slice())]));
    for (let i = 0; i < changes.length; i++) {
      const kind = changes.kind(i);
      const name = changes.name(i);
      const list = chunks.get(name) ?? [];
      if (kind === "write") {
        const bytes = changes.bytes(i);
        const position = changes.position(i);
        store.put(bytes, [name, position]);
        list.push([position, bytes.length]);
        chunks.set(name, list);
      } else if (kind === "truncate") {
        const len = changes.position(i);
        store.delete(IDBKeyRange.bound([name, len], [name, Infinity]));
        const split = list.find(([start, length]) => start < len && start + length > len);
        if (split) {
          const [start] = split;
          const get = store.get([name, start]);
          get.onsuccess = () => store.put(get.result.subarray(0, len - start), [name, start]);
          split[1] = len - start;
        }
        chunks.set(name, list.filter(([start]) => start < len));
      } else if (kind === "remove") {
        store.delete(IDBKeyRange.bound([name, -Infinity], [name, Infinity]));
        chunks.delete(name);
      }
    }
    try {
      await done(tx);
    } catch (error) {
      throw storageError("commit", this.#name, error);
    }
    this.#chunks = chunks;
    this.#relaxed = !strict;
  }

  /** Makes what relaxed commits wrote durable: one strict commit after them (IndexedDB
   * commits in order, so a strict commit flushes every earlier one too). */
  async sync() {
    if (!this.#relaxed) return;
    try {
      const tx = this.#db.transaction(STORE, "readwrite", { durability: "strict" });
      tx.objectStore(STORE).put(Date.now(), SYNC_KEY);
      await done(tx);
    } catch (error) {
      throw storageError("sync", this.#name, error);
    }
    this.#relaxed = false;
  }

  async close() {
    this.#db.close();
    this.#release();
  }
}

async function load(db) {
  const tx = db.transaction(STORE, "readonly");
  const store = tx.objectStore(STORE);
  const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
  const parts = new Map();
  for (let i = 0; i < keys.length; i++) {
    if (!Array.isArray(keys[i])) continue; // SYNC_KEY
    const [name, position] = keys[i];
    if (!parts.has(name)) parts.set(name, []);
    parts.get(name).push([position, new Uint8Array(values[i])]);
  }
  const files = new Map();
  const chunks = new Map();
  const cut = new Map();
  for (const [name, list] of parts) {
    list.sort((a, b) => a[0] - b[0]);
    let length = 0;
    const kept = [];
    for (const [position, bytes] of list) {
      if (position !== length) {
        cut.set(name, length); // a gap: the file ends here
        break;
      }
      kept.push([position, bytes]);
      length += bytes.length;
    }
    const file = new Uint8Array(length);
    for (const [position, bytes] of kept) file.set(bytes, position);
    files.set(name, file);
    chunks.set(name, kept.map(([position, bytes]) => [position, bytes.length]));
  }
  return { files, chunks, cut };
}
