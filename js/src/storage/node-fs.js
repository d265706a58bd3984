// The Node storage adapter: a log directory in the native format, the same files the Rust
// core and the Python package write. Loading reads every file into the engine; persisting
// applies the engine's changes in order (writes at their positions, truncations, removals);
// a strict persist then fsyncs every file and directory changed since the last fsync,
// including what relaxed persists wrote before it.
//
// The writer lock: the native build holds an flock on `mqlite.lock` and writes "pid N" into
// it, emptying it on close. Node has no flock, so it writes "node pid N" and empties the file
// on close; each side refuses to open while the file names another live process. A second
// open of the same directory in this process is refused too. Limit: without flock, reading
// the file and stamping it are two steps, so a Node process and another writer opening the
// same directory within the same few milliseconds could both get in (two native writers
// cannot: they flock).

import { mkdir, open as openFile, readdir, readFile, rm, rmdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { LogLockedError, StorageError } from "../errors.js";

const LOCK_FILE = "mqlite.lock";
const openHere = new Set();

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

function storageError(op, path, error) {
  return new StorageError(`${op} ${path}: ${error.message}`, { cause: error });
}

async function lock(root) {
  const path = join(root, LOCK_FILE);
  if (openHere.has(root)) throw new LogLockedError(`${path} is held by this process (pid ${process.pid})`);
  let holder = "";
  try {
    holder = (await readFile(path, "utf8")).trim();
  } catch (error) {
    if (error.code !== "ENOENT") throw storageError("read", path, error);
  }
  const pid = Number(/pid (\d+)/.exec(holder)?.[1]);
  if (pid && pid !== process.pid && isAlive(pid)) {
    throw new LogLockedError(`${path} is held by ${holder} (if that process is not mqlite, delete the file)`);
  }
  const file = await openFile(path, "w");
  await file.writeFile(`node pid ${process.pid}`);
  await file.sync();
  openHere.add(root);
  return file;
}

async function walk(root, prefix, out) {
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await walk(root, name, out);
    else if (entry.isFile() && name !== LOCK_FILE) out.set(name, new Uint8Array(await readFile(join(root, name))));
  }
}

/** Files under `root` for the engine, with the changes it makes written back. */
export class NodeFileAdapter {
  #root;
  #lock;
  #handles = new Map();
  #readOnly;
  /** Files and directories a relaxed persist changed and no fsync has covered yet. */
  #unsyncedFiles = new Set();
  #unsyncedDirs = new Set();

  constructor(root, lockFile, readOnly) {
    this.#root = root;
    this.#lock = lockFile;
    this.#readOnly = readOnly;
  }

  /** Opens (creating it if needed) the log directory at `path`; returns the adapter and the
   * files in it. */
  static async open(path, { readOnly = false } = {}) {
    const root = resolve(path);
    if (!readOnly) await mkdir(root, { recursive: true });
    const lockFile = readOnly ? null : await lock(root);
    try {
      const files = new Map();
      await walk(root, "", files);
      return { adapter: new NodeFileAdapter(root, lockFile, readOnly), files };
    } catch (error) {
      await lockFile?.truncate(0).catch(() => {});
      await lockFile?.close();
      openHere.delete(root);
      throw error.code ? storageError("read", root, error) : error;
    }
  }

  get location() {
    return this.#root;
  }

  async #handle(name) {
    let handle = this.#handles.get(name);
    if (!handle) {
      const path = join(this.#root, ...name.split("/"));
      // A new directory is an entry of its parent: that needs a sync too.
      const created = await mkdir(dirname(path), { recursive: true });
      if (created) this.#unsyncedDirs.add(dirname(created));
      // "a+" would force appends to the end; "r+" needs the file. Create, then reopen r+.
      await (await openFile(path, "a")).close();
      handle = await openFile(path, "r+");
      this.#handles.set(name, handle);
    }
    return handle;
  }

  /** Applies the engine's `changes` in order; with `strict`, fsyncs before resolving what
   * this and every earlier relaxed call wrote. */
  async apply(changes, { strict }) {
    const touched = this.#unsyncedFiles;
    const dirs = this.#unsyncedDirs;
    for (let i = 0; i < changes.length; i++) {
      const kind = changes.kind(i);
      const name = changes.name(i);
      const path = join(this.#root, ...name.split("/"));
      try {
        if (kind === "write") {
          const fresh = !this.#handles.has(name);
          const handle = await this.#handle(name);
          const bytes = changes.bytes(i);
          let written = 0;
          while (written < bytes.length) {
            const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, changes.position(i) + written);
            written += bytesWritten;
          }
          touched.add(name);
          if (fresh) dirs.add(dirname(path));
        } else if (kind === "truncate") {
          const handle = await this.#handle(name);
          const { size } = await handle.stat();
          if (size > changes.position(i)) await handle.truncate(changes.position(i));
          touched.add(name);
        } else if (kind === "remove") {
          await this.#handles.get(name)?.close();
          this.#handles.delete(name);
          touched.delete(name);
          await rm(path, { force: true });
          // An emptied partition directory goes too, as the native backend does (gone already
          // when an abandoned persist is sent again).
          const parent = dirname(path);
          const gone = parent !== this.#root && (await rmdir(parent).then(() => true, (e) => e.code === "ENOENT"));
          if (gone) {
            dirs.delete(parent);
            dirs.add(this.#root);
          } else {
            dirs.add(parent);
          }
        }
      } catch (error) {
        throw storageError(kind, path, error);
      }
    }
    if (strict) await this.sync();
  }

  /** Fsyncs every file and directory changed since the last fsync. */
  async sync() {
    for (const name of this.#unsyncedFiles) {
      try {
        await this.#handles.get(name)?.datasync();
      } catch (error) {
        throw storageError("sync", join(this.#root, name), error);
      }
      this.#unsyncedFiles.delete(name);
    }
    for (const dir of this.#unsyncedDirs) {
      await syncDir(dir);
      this.#unsyncedDirs.delete(dir);
    }
  }

  async close() {
    for (const handle of this.#handles.values()) await handle.close();
    this.#handles.clear();
    if (this.#lock) {
      await this.#lock.truncate(0);
      await this.#lock.close();
      openHere.delete(this.#root);
      this.#lock = null;
    }
  }
}

async function syncDir(dir) {
  let handle;
  try {
    handle = await openFile(dir, "r");
    await handle.sync();
  } catch (error) {
    // Some systems cannot fsync a directory; the file syncs above still hold. A directory
    // removed since it changed has nothing left to sync.
    if (!["EISDIR", "EINVAL", "EPERM", "ENOENT"].includes(error.code)) {
      throw storageError("sync", dir, error);
    }
  } finally {
    await handle?.close();
  }
}

