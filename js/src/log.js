// The idiomatic API over the native module: Log, Producer and Consumer, the same in Node and
// in browsers. The engine is synchronous and runs on memory; this file adds what JS needs
// around it:
// - persistence: after appends, the changes since the last persist go to the storage adapter
//   (Node files or IndexedDB) one take at a time, in order (`#persistChain`); a failed
//   persist is abandoned so the next one sends it again;
// - linger: a producer's timer polls the engine when its oldest batch is due;
// - waiting: consumers wait on the log's append signal, so `for await` wakes on new records.
// Invariant: `flush()` resolves only after every record sent before it is appended and the
// adapter has persisted it (strictly: fsync'd files, an IndexedDB transaction with strict
// durability).

import { NativeConsumer, NativeProducer } from "../native/mqlite_native.js";
import { argTypeError, call, ClosedError, fromNative, outOfRange } from "./errors.js";
import { pack, prepare, unpack, wholeNumber } from "./pack.js";

const DURABILITIES = ["memory", "write", "fsync"];
/** The longest delay `setTimeout` keeps (a longer one fires at once). */
const TIMER_MS_MAX = 2 ** 31 - 1;
/** The largest partition number the engine's u32 takes (u32::MAX means "none"). */
const PARTITION_MAX = 0xfffffffe;
const OFFSET_MAX = 2n ** 63n - 1n;

function nonNegative(value, name, fallback) {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number") throw argTypeError(name, "a non-negative number", value);
  if (!Number.isFinite(value) || value < 0) throw outOfRange(name, "0 up", value);
  return value;
}

function topicName(topic) {
  if (typeof topic !== "string") throw argTypeError("topic", "a string", topic);
  return topic;
}

function optionalString(value, name) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw argTypeError(name, "a string", value);
  return value;
}

function partitionNumber(partition) {
  return wholeNumber(partition, "partition", PARTITION_MAX);
}

function offsetBigInt(offset) {
  let value;
  if (typeof offset === "bigint") value = offset;
  else if (typeof offset !== "number") throw argTypeError("offset", "a bigint or a whole number", offset);
  else if (Number.isSafeInteger(offset)) value = BigInt(offset);
  else throw outOfRange("offset", "0 to 2^53 - 1 as a number (use a bigint beyond)", offset);
  if (value < 0n || value > OFFSET_MAX) throw outOfRange("offset", `0 to ${OFFSET_MAX}`, offset);
  return value;
}

/** An open log: topics, producers and consumers. Make one with `open()`. */
export class Log {
  #native;
  #adapter;
  #persistChain = Promise.resolve();
  #persistScheduled = null;
  #appendWaiters = new Set();
  #producers = new Set();
  #consumers = new Set();
  #closing = null;

  /** @internal */
  constructor(native, adapter) {
    this.#native = native;
    this.#adapter = adapter;
  }

  /** Where the log is kept: a directory, an IndexedDB database name, or null in memory. */
  get location() {
    return this.#adapter?.location ?? null;
  }

  /** Whether `close()` has been called. */
  get closed() {
    return this.#closing !== null;
  }

  /**
   * Creates a topic, durably. Options: `partitions` (1), `compression` ("none" or "lz4"),
   * `timestampType` ("create_time" or "log_append_time"), `retentionMs`, `retentionBytes`,
   * `segmentBytes`.
   */
  async createTopic(name, options = {}) {
    const { partitions = 1, compression, timestampType, retentionMs, retentionBytes, segmentBytes } = options;
    if (typeof partitions !== "number") throw argTypeError("partitions", "a number", partitions);
    call(() =>
      this.#native.createTopic(
        topicName(name),
        partitions,
        optionalString(compression, "compression"),
        optionalString(timestampType, "timestampType"),
        retentionMs ?? undefined,
        retentionBytes ?? undefined,
        segmentBytes ?? undefined,
      ),
    );
    await this.#persist(true);
  }

  /** Deletes a topic and its records, durably. */
  async deleteTopic(name) {
    call(() => this.#native.deleteTopic(topicName(name)));
    await this.#persist(true);
  }

  /** The topics' names, sorted. */
  topics() {
    return call(() => this.#native.topics());
  }

  /** A topic's settings and its partitions' offsets and sizes. */
  describe(name) {
    return call(() => this.#native.describe(topicName(name)));
  }

  /** The offset the next record appended to a partition will get. */
  highWatermark(topic, partition) {
    return call(() => this.#native.highWatermark(topicName(topic), partitionNumber(partition)));
  }

  /** A producer (Kafka's settings: partitioner, lingerMs, batchBytes, durability, ...). */
  producer(options = {}) {
    this.#checkOpen();
    const producer = new Producer(this, this.#native, options);
    this.#producers.add(producer);
    return producer;
  }

  /** A consumer of `topics` (or call `assign`/`subscribe` later). */
  consumer(options = {}) {
    this.#checkOpen();
    const consumer = new Consumer(this, this.#native, options);
    this.#consumers.add(consumer);
    return consumer;
  }

  /** Appends what every producer holds and persists everything, strictly. If a producer's
   * batch fails (its sends are rejected), the rest is still persisted, then that error is
   * thrown. */
  async flush() {
    this.#checkOpen();
    const failure = this.#appendAll();
    await this.#persist(true);
    if (failure) throw failure;
  }

  /**
   * Persists every change so far through the storage adapter, strictly (fsync'd, or an
   * IndexedDB transaction with strict durability). Resolves when they are durable.
   */
  persist({ strict = true } = {}) {
    if (this.#closing) return Promise.reject(new ClosedError("the log is closed"));
    return this.#persist(Boolean(strict));
  }

  /** Queues one persist behind the others: the changes since the last one, or, strictly
   * with none, a sync of what relaxed persists left to the OS or to a relaxed commit. */
  #persist(strict) {
    const run = async () => {
      if (!this.#adapter || this.#native.closed) return;
      if (!this.#native.hasChanges()) {
        if (strict) await this.#adapter.sync();
        return;
      }
      const changes = call(() => this.#native.takeChanges());
      try {
        await this.#adapter.apply(changes, { strict });
        this.#native.confirmChanges();
      } catch (error) {
        this.#native.abandonChanges();
        throw fromNative(error);
      } finally {
        changes.free();
      }
    };
    const next = this.#persistChain.then(run, run);
    this.#persistChain = next.catch(() => {});
    return next;
  }

  /** Every producer appends what it holds; returns the first failure, after trying all. */
  #appendAll() {
    let failure = null;
    for (const producer of this.#producers) {
      try {
        producer._appendAll();
      } catch (error) {
        failure ??= error;
      }
    }
    return failure;
  }

  /**
   * Closes the log: waiting polls end, producers append what they hold and refuse new sends,
   * everything is persisted, then the storage is released. Later calls fail with ClosedError.
   * If that last persist fails, `close()` rejects with its error and the log stays open with
   * nothing lost: call `close()` again to retry (producers and consumers made before it stay
   * closed; make new ones to go on).
   */
  close() {
    this.#closing ??= this.#closeNow({ force: false });
    return this.#closing;
  }

  /** @internal Closes even if the last persist fails (its error is still thrown): what is
   * not persisted is lost and the storage is released. For a failed open and for disposal. */
  _closeForced() {
    this.#closing ??= this.#closeNow({ force: true });
    return this.#closing;
  }

  async #closeNow({ force }) {
    // Before anything awaits: a waiting poll must end now, and no send may slip in behind
    // the last persist. Producers and consumers made before stay closed even if this fails.
    for (const consumer of this.#consumers) consumer._closed();
    this.#consumers.clear();
    this.#wake();
    const failure = this.#appendAll();
    for (const producer of this.#producers) producer._closed();
    this.#producers.clear();
    let persistFailure = null;
    try {
      await this.#persist(true);
    } catch (error) {
      if (!force) {
        this.#closing = null;
        throw error;
      }
      persistFailure = error;
    }
    this.#native.close();
    await this.#adapter?.close();
    if (persistFailure ?? failure) throw persistFailure ?? failure;
  }

  #checkOpen() {
    if (this.#closing) throw new ClosedError("the log is closed");
  }

  /** @internal Wakes every waiting poll (they poll again, or end if their consumer closed). */
  _wakeWaiters() {
    this.#wake();
  }

  #wake() {
    if (this.#appendWaiters.size === 0) return;
    const waiters = [...this.#appendWaiters];
    this.#appendWaiters.clear();
    for (const wake of waiters) wake();
  }

  /** @internal A producer appended: wake consumers and persist soon (unless `memory`). */
  _appended(durability) {
    this.#wake();
    if (durability === "memory" || !this.#adapter) return Promise.resolve();
    if (durability === "fsync") return this.#persist(true);
    if (!this.#persistScheduled) {
      // After the current job, so that the appends it makes share one persist (a microtask,
      // not a timer: setTimeout would add at least a millisecond to every awaited sendMany).
      this.#persistScheduled = new Promise((resolve) => {
        queueMicrotask(() => {
          this.#persistScheduled = null;
          // A failure is not lost: the changes were abandoned, so the next persist (a flush,
          // close) takes them again and reports it.
          this.#persist(false).then(resolve, resolve);
        });
      });
    }
    return this.#persistScheduled;
  }

  /** @internal Resolves at the next append, after `ms`, or at close. */
  _waitForAppend(ms) {
    if (this.#closing) return Promise.resolve();
    return new Promise((resolve) => {
      let timer = null;
      const wake = () => {
        if (timer !== null) clearTimeout(timer);
        this.#appendWaiters.delete(wake);
        resolve();
      };
      this.#appendWaiters.add(wake);
      if (Number.isFinite(ms)) timer = setTimeout(wake, Math.min(ms, TIMER_MS_MAX));
    });
  }

  /** @internal */
  _forget(consumerOrProducer) {
    this.#producers.delete(consumerOrProducer);
    this.#consumers.delete(consumerOrProducer);
  }
}

// `await using log = await open(...)` where the runtime has explicit resource management.
if (typeof Symbol.asyncDispose === "symbol") {
  Log.prototype[Symbol.asyncDispose] = function dispose() {
    return this._closeForced();
  };
}

/**
 * A producer. `send` resolves to the record's metadata once its batch is appended (with
 * `durability: "fsync"`, once it is persisted too); `flush` appends and persists everything.
 */
export class Producer {
  #log;
  #logNative;
  #native;
  #durability;
  #partitioner;
  #pending = new Map();
  #timer = null;
  #closed = false;

  /** @internal */
  constructor(log, logNative, options) {
    const {
      partitioner = "murmur2",
      lingerMs = 5,
      batchBytes = 16384,
      durability = "write",
      compression,
      idempotent = true,
      retries = 5,
      retryBackoffMs = 100,
    } = options;
    if (!DURABILITIES.includes(durability)) {
      throw argTypeError("durability", "'memory', 'write' or 'fsync'", durability);
    }
    if (typeof partitioner !== "string" && typeof partitioner !== "function") {
      throw argTypeError("partitioner", "a name or a function (topic, key, partitionCount) => number", partitioner);
    }
    this.#log = log;
    this.#logNative = logNative;
    this.#durability = durability;
    this.#partitioner = typeof partitioner === "function" ? partitioner : null;
    this.#native = call(
      () =>
        new NativeProducer(
          logNative,
          typeof partitioner === "string" ? partitioner : "murmur2",
          nonNegative(lingerMs, "lingerMs", 5),
          nonNegative(batchBytes, "batchBytes", 16384),
          optionalString(compression, "compression"),
          Boolean(idempotent),
          nonNegative(retries, "retries", 5),
          nonNegative(retryBackoffMs, "retryBackoffMs", 100),
        ),
    );
  }

  #prepare(topic, message) {
    if (!this.#partitioner || (message && message.partition !== undefined && message.partition !== null)) {
      return prepare(message);
    }
    const record = prepare(message);
    const count = call(() => this.#logNative.partitionCount(topic));
    record.partition = wholeNumber(this.#partitioner(topic, record.key, count), "partitioner's answer", PARTITION_MAX);
    return record;
  }

  #checkOpen() {
    if (this.#closed) throw new ClosedError("the log is closed");
  }

  /**
   * Sends one record `{ key, value, headers, partition, timestamp }`; resolves to
   * `{ topic, partition, offset, timestampMs }` once it is appended.
   */
  send(topic, message) {
    try {
      this.#checkOpen();
      topicName(topic);
      const record = this.#prepare(topic, message);
      const handle = call(() => this.#native.send(topic, pack([record])));
      const promise = new Promise((resolve, reject) => {
        this.#pending.set(handle, { topic, resolve, reject });
      });
      this.#schedule();
      return promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends many records at once: they are appended (one batch per partition) before this
   * resolves, to `[{ topic, partition, baseOffset, count }]` per partition written. Nothing
   * is sent if any record is refused.
   */
  async sendMany(topic, messages) {
    this.#checkOpen();
    topicName(topic);
    if (!messages || typeof messages[Symbol.iterator] !== "function") {
      throw argTypeError("messages", "an array of messages", messages);
    }
    const records = [];
    for (const message of messages) records.push(this.#prepare(topic, message));
    const ranges = call(() => this.#native.sendMany(topic, pack(records)));
    const written = [];
    for (let i = 0; i + 2 < ranges.length; i += 3) {
      written.push({ topic, partition: Number(ranges[i]), baseOffset: ranges[i + 1], count: Number(ranges[i + 2]) });
    }
    await this.#log._appended(this.#durability);
    return written;
  }

  /** Appends every pending record and persists everything; resolves once it is durable. */
  async flush() {
    this.#checkOpen();
    this._appendAll();
    await this.#log.persist();
  }

  /** Flushes and stops this producer's timer (kafkajs's `disconnect`). */
  async disconnect() {
    await this.flush();
    this._closed();
    this.#log._forget(this);
  }

  /** @internal Appends everything pending and settles the sends. */
  _appendAll() {
    if (this.#closed) return;
    let failure = null;
    try {
      call(() => this.#native.flush());
    } catch (error) {
      failure = error;
    }
    this.#settle();
    if (failure) throw failure;
  }

  /** @internal The log closed: fail what can no longer be appended. */
  _closed() {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    for (const { reject } of this.#pending.values()) reject(new ClosedError("the log closed before the record was appended"));
    this.#pending.clear();
  }

  #schedule() {
    if (this.#timer !== null || this.#closed) return;
    const deadline = this.#native.nextLingerDeadlineMs();
    if (deadline === undefined) {
      if (this.#pending.size > 0) this.#settle();
      return;
    }
    this.#timer = setTimeout(() => this.#drive(), Math.min(TIMER_MS_MAX, Math.max(0, deadline - Date.now())));
  }

  #drive() {
    this.#timer = null;
    if (this.#closed) return;
    try {
      call(() => this.#native.poll());
    } catch {
      // The failed batches' sends carry the error; `#settle` rejects them.
    }
    this.#settle();
    this.#schedule();
  }

  #settle() {
    if (this.#pending.size === 0) return;
    const done = [];
    for (const [handle, waiter] of this.#pending) {
      let outcome;
      try {
        outcome = this.#native.result(handle);
      } catch (error) {
        this.#pending.delete(handle);
        waiter.reject(fromNative(error));
        continue;
      }
      if (outcome === undefined) continue;
      this.#pending.delete(handle);
      done.push([waiter, { topic: waiter.topic, partition: Number(outcome[0]), offset: outcome[1], timestampMs: Number(outcome[2]) }]);
    }
    if (done.length === 0) return;
    const persisted = this.#log._appended(this.#durability);
    if (this.#durability === "fsync") {
      persisted.then(
        () => done.forEach(([waiter, meta]) => waiter.resolve(meta)),
        (error) => done.forEach(([waiter]) => waiter.reject(error)),
      );
    } else {
      for (const [waiter, meta] of done) waiter.resolve(meta);
    }
  }
}

/**
 * A consumer: `poll` returns records, `for await` waits for new ones. Positions live in this
 * object only (no group commits yet).
 */
export class Consumer {
  #log;
  #native;
  #logNative;
  #buffer = [];
  #closed = false;

  /** @internal */
  constructor(log, logNative, options) {
    const { topics, autoOffsetReset = "earliest", fromBeginning, partitionFetchBytes = 1048576 } = options;
    const reset = fromBeginning === undefined ? autoOffsetReset : fromBeginning ? "earliest" : "latest";
    if (typeof reset !== "string") throw argTypeError("autoOffsetReset", "'earliest', 'latest' or 'error'", reset);
    this.#log = log;
    this.#logNative = logNative;
    this.#native = call(() => new NativeConsumer(logNative, reset, nonNegative(partitionFetchBytes, "partitionFetchBytes", 1048576)));
    if (topics !== undefined) this.subscribe({ topics });
  }

  /** Assigns every partition of `topics` (kafkajs's `subscribe`, without a group). */
  subscribe({ topics }) {
    if (typeof topics === "string") topics = [topics];
    if (!Array.isArray(topics) || !topics.every((t) => typeof t === "string")) {
      throw argTypeError("topics", "an array of topic names", topics);
    }
    call(() => this.#native.assignTopics(topics));
  }

  /** Assigns exactly these partitions of `topic`. */
  assign(topic, partitions) {
    if (!Array.isArray(partitions)) throw argTypeError("partitions", "an array of partition numbers", partitions);
    call(() => this.#native.assign(topicName(topic), Uint32Array.from(partitions.map(partitionNumber))));
  }

  /** The assigned partitions as `[{ topic, partition }]`. */
  assignment() {
    const flat = this.#native.assignment();
    const out = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ topic: flat[i], partition: flat[i + 1] });
    return out;
  }

  /**
   * Up to `maxRecords` records; waits up to `timeoutMs` (0: not at all) for the first.
   * Each record is `{ topic, partition, offset, timestampMs, key, value, headers }`.
   */
  async poll({ maxRecords = 500, timeoutMs = 0 } = {}) {
    nonNegative(maxRecords, "maxRecords", 500);
    nonNegative(timeoutMs, "timeoutMs", 0);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#closed) throw new ClosedError("the consumer is closed");
      if (this.#buffer.length > 0) return this.#buffer.splice(0, maxRecords);
      const records = unpack(call(() => this.#native.poll(maxRecords)));
      if (records.length > 0) return records;
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await this.#log._waitForAppend(left);
    }
  }

  /** Reads `partition` of `topic` from `offset` next. */
  seek(topic, partition, offset) {
    this.#buffer = [];
    call(() => this.#native.seek(topicName(topic), partitionNumber(partition), offsetBigInt(offset)));
  }

  /** Reads from the first stored record: of one partition, or of every assigned one. */
  seekToBeginning(topic, partition) {
    this.#buffer = [];
    for (const tp of this.#targets(topic, partition)) call(() => this.#native.seekToBeginning(tp.topic, tp.partition));
  }

  /** Reads only what is appended from now on: to one partition, or to every assigned one. */
  seekToEnd(topic, partition) {
    this.#buffer = [];
    for (const tp of this.#targets(topic, partition)) call(() => this.#native.seekToEnd(tp.topic, tp.partition));
  }

  /** Moves every assigned partition to its first record at or after `timestampMs`. */
  seekToTimestamp(timestampMs) {
    this.#buffer = [];
    call(() => this.#native.seekToTimestamp(timestampMs instanceof Date ? timestampMs.getTime() : timestampMs));
  }

  /** The next offset this consumer reads from the partition. */
  position(topic, partition) {
    return call(() => this.#native.position(topicName(topic), partitionNumber(partition)));
  }

  /** Records not yet read, per assigned partition: `[{ topic, partition, lag }]` (bigint). */
  lag() {
    return this.assignment().map(({ topic, partition }) => ({
      topic,
      partition,
      lag: this.#log.highWatermark(topic, partition) - this.position(topic, partition),
    }));
  }

  /** Ends this consumer: a waiting `poll` or `for await` finishes. */
  close() {
    this._closed();
    this.#log._forget(this);
    this.#log._wakeWaiters();
  }

  /** @internal */
  _closed() {
    this.#closed = true;
  }

  #targets(topic, partition) {
    if (topic === undefined) return this.assignment();
    if (partition === undefined) return this.assignment().filter((tp) => tp.topic === topic);
    return [{ topic: topicName(topic), partition: partitionNumber(partition) }];
  }

  /** Every record, waiting for new ones, until the consumer or its log closes. */
  async *[Symbol.asyncIterator]() {
    while (!this.#closed) {
      let records;
      try {
        records = await this.poll({ maxRecords: 500, timeoutMs: 60_000 });
      } catch (error) {
        if (this.#closed || error instanceof ClosedError) return;
        throw error;
      }
      let i = 0;
      try {
        for (; i < records.length; i++) yield records[i];
      } finally {
        // A `break` mid-batch: the records not yet handed out come first at the next poll.
        this.#buffer = records.slice(i + 1).concat(this.#buffer);
      }
    }
  }
}
