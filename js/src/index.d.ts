// Types for the npm package `mqlite`: the same API in Node (a directory of files) and in
// browsers (an IndexedDB database).

/** Bytes, or a string sent as UTF-8. */
export type BytesLike = Uint8Array | ArrayBuffer | ArrayBufferView | string;

/** Headers: ordered `[name, value]` pairs, or an object of them. */
export type HeadersInit = ReadonlyArray<readonly [string, BytesLike | null]> | Record<string, BytesLike | null>;

/** One record to send. */
export interface Message {
  key?: BytesLike | null;
  /** `null` is a tombstone. */
  value?: BytesLike | null;
  headers?: HeadersInit;
  /** Send to this partition, whatever the partitioner says. */
  partition?: number;
  /** The create time, ms since the epoch; the producer's clock when left out. */
  timestamp?: number | Date;
}

/** Where a sent record went (Kafka's RecordMetadata). */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: bigint;
  timestampMs: number;
}

/** What `sendMany` wrote to one partition. */
export interface PartitionWrite {
  topic: string;
  partition: number;
  baseOffset: bigint;
  count: number;
}

/** A record read by a consumer. Keys and values are views of one buffer per poll. */
export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestampMs: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Array<[string, Uint8Array | null]>;
}

export type Compression = "none" | "lz4";
export type TimestampType = "create_time" | "log_append_time";
export type Durability = "memory" | "write" | "fsync";
export type AutoOffsetReset = "earliest" | "latest" | "error" | "none";
/** A function partitioner: the partition for a record (Kafka's partitioner interface). */
export type PartitionerFunction = (topic: string, key: Uint8Array | null, partitionCount: number) => number;

export interface TopicOptions {
  /** Number of partitions (1). */
  partitions?: number;
  compression?: Compression;
  timestampType?: TimestampType;
  /** Delete sealed segments older than this. */
  retentionMs?: number | null;
  /** Delete the oldest sealed segments while a partition is larger than this. */
  retentionBytes?: number | null;
  /** Roll to a new segment before one grows past this. */
  segmentBytes?: number;
}

export interface PartitionInfo {
  partition: number;
  logStartOffset: bigint;
  highWatermark: bigint;
  sizeBytes: number;
  segments: number;
}

export interface TopicDescription {
  name: string;
  partitions: number;
  compression: Compression;
  timestampType: TimestampType;
  retentionMs: number | null;
  retentionBytes: number | null;
  segmentBytes: number;
  partitionInfo: PartitionInfo[];
}

export interface ProducerOptions {
  /** "murmur2" (Kafka's default), "round_robin", "consistent_hash", or a function. */
  partitioner?: "murmur2" | "default" | "sticky" | "round_robin" | "consistent_hash" | PartitionerFunction;
  /** How long a batch waits for more records (5). */
  lingerMs?: number;
  /** A batch's size limit in bytes (16384). */
  batchBytes?: number;
  /**
   * When `send` resolves: "memory" at append; "write" (default) at append, persisted soon
   * after; "fsync" once persisted durably.
   */
  durability?: Durability;
  compression?: Compression;
  idempotent?: boolean;
  retries?: number;
  retryBackoffMs?: number;
}

export interface ConsumerOptions {
  /** Assign every partition of these topics. */
  topics?: string[];
  /** Where to start: "earliest" (default), "latest", or "error". */
  autoOffsetReset?: AutoOffsetReset;
  /** kafkajs's shorthand: true is "earliest", false "latest". */
  fromBeginning?: boolean;
  partitionFetchBytes?: number;
}

export interface PollOptions {
  /** At most this many records (500). */
  maxRecords?: number;
  /** Wait up to this long for the first record (0). */
  timeoutMs?: number;
}

export interface OpenOptions {
  /** Open without the writer lock; every write fails with ReadOnlyError. */
  readOnly?: boolean;
}

export declare class Log {
  private constructor();
  /** A directory (Node), an IndexedDB database name (browser), or null in memory. */
  readonly location: string | null;
  readonly closed: boolean;
  createTopic(name: string, options?: TopicOptions): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  topics(): string[];
  describe(name: string): TopicDescription;
  highWatermark(topic: string, partition: number): bigint;
  producer(options?: ProducerOptions): Producer;
  consumer(options?: ConsumerOptions): Consumer;
  /** Appends what every producer holds and persists everything durably. */
  flush(): Promise<void>;
  /** Persists every change so far; `strict: false` lets IndexedDB commit relaxed. */
  persist(options?: { strict?: boolean }): Promise<void>;
  /**
   * Ends waiting polls, appends what producers hold, persists everything and releases the
   * storage. If that persist fails, rejects with its error and the log stays open with
   * nothing lost: call it again (producers and consumers made before stay closed).
   */
  close(): Promise<void>;
}

export declare class Producer {
  private constructor();
  send(topic: string, message: Message): Promise<RecordMetadata>;
  sendMany(topic: string, messages: Iterable<Message>): Promise<PartitionWrite[]>;
  /** Resolves when every record sent so far is appended and durable. */
  flush(): Promise<void>;
  disconnect(): Promise<void>;
}

export declare class Consumer implements AsyncIterable<ConsumerRecord> {
  private constructor();
  subscribe(options: { topics: string[] | string }): void;
  assign(topic: string, partitions: number[]): void;
  assignment(): Array<{ topic: string; partition: number }>;
  poll(options?: PollOptions): Promise<ConsumerRecord[]>;
  seek(topic: string, partition: number, offset: bigint | number): void;
  seekToBeginning(topic?: string, partition?: number): void;
  seekToEnd(topic?: string, partition?: number): void;
  seekToTimestamp(timestampMs: number | Date): void;
  position(topic: string, partition: number): bigint;
  lag(): Array<{ topic: string; partition: number; lag: bigint }>;
  close(): void;
  [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord>;
}

/**
 * Opens a log: in Node the directory `path` (created if missing), in a browser the IndexedDB
 * database of that name; with no argument, an in-memory log.
 */
export declare function open(path?: string | URL | null, options?: OpenOptions): Promise<Log>;

/** Browser entry only: loads the wasm module from a URL, a Response or bytes before `open`. */
export declare function initialize(module?: unknown): Promise<unknown>;

/** The partition Kafka's default partitioner picks for `key` among `partitions`. */
export declare function murmur2(key: BytesLike, partitions: number): number;
/** Kafka's murmur2 hash of `key`, signed 32-bit. */
export declare function murmur2Hash(key: BytesLike): number;

export type ErrorCode =
  | "TOPIC_NOT_FOUND"
  | "TOPIC_EXISTS"
  | "INVALID_TOPIC_NAME"
  | "PARTITION_NOT_FOUND"
  | "RECORD_TOO_LARGE"
  | "BATCH_TOO_LARGE"
  | "OFFSET_OUT_OF_RANGE"
  | "CORRUPT_LOG"
  | "LOG_LOCKED"
  | "NOT_A_LOG"
  | "UNSUPPORTED_FORMAT_VERSION"
  | "UNSUPPORTED_COMPRESSION"
  | "INVALID_CONFIG"
  | "INVALID_RECORD"
  | "READ_ONLY"
  | "CLOSED"
  | "IO"
  | "PARTITION_NOT_ASSIGNED"
  | "OUT_OF_ORDER_SEQUENCE"
  | "PRODUCER_FENCED";

/** Base class of every error mqlite reports. */
export declare class MqliteError extends Error {
  constructor(message: string, code: ErrorCode, options?: ErrorOptions);
  readonly code: ErrorCode;
}
type Subclass = new (message: string, options?: ErrorOptions) => MqliteError;
export declare const errorClasses: Record<ErrorCode, Subclass>;
export declare class TopicNotFoundError extends MqliteError {}
export declare class TopicExistsError extends MqliteError {}
export declare class InvalidTopicNameError extends MqliteError {}
export declare class PartitionNotFoundError extends MqliteError {}
export declare class RecordTooLargeError extends MqliteError {}
export declare class BatchTooLargeError extends MqliteError {}
export declare class OffsetOutOfRangeError extends MqliteError {}
export declare class CorruptLogError extends MqliteError {}
export declare class LogLockedError extends MqliteError {}
export declare class NotALogError extends MqliteError {}
export declare class UnsupportedFormatVersionError extends MqliteError {}
export declare class UnsupportedCompressionError extends MqliteError {}
export declare class InvalidConfigError extends MqliteError {}
export declare class InvalidRecordError extends MqliteError {}
export declare class ReadOnlyError extends MqliteError {}
export declare class ClosedError extends MqliteError {}
export declare class StorageError extends MqliteError {}
export declare class PartitionNotAssignedError extends MqliteError {}
export declare class OutOfOrderSequenceError extends MqliteError {}
export declare class ProducerFencedError extends MqliteError {}
