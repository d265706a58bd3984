// Errors: every failure the engine reports is an MqliteError subclass carrying the core's
// stable `code` (the same codes as the Rust core and the Python package). Arguments of the
// wrong JS type are TypeErrors with Node's `ERR_INVALID_ARG_TYPE` code, as Node's own APIs do.

/** Base class of every error mqlite reports. */
export class MqliteError extends Error {
  constructor(message, code, options) {
    super(message, options);
    this.name = new.target.name;
    /** The engine's stable error code, for example "TOPIC_NOT_FOUND". */
    this.code = code;
  }
}

const CODES = {
  TOPIC_NOT_FOUND: "TopicNotFoundError",
  TOPIC_EXISTS: "TopicExistsError",
  INVALID_TOPIC_NAME: "InvalidTopicNameError",
  PARTITION_NOT_FOUND: "PartitionNotFoundError",
  RECORD_TOO_LARGE: "RecordTooLargeError",
  BATCH_TOO_LARGE: "BatchTooLargeError",
  OFFSET_OUT_OF_RANGE: "OffsetOutOfRangeError",
  CORRUPT_LOG: "CorruptLogError",
  LOG_LOCKED: "LogLockedError",
  NOT_A_LOG: "NotALogError",
  UNSUPPORTED_FORMAT_VERSION: "UnsupportedFormatVersionError",
  UNSUPPORTED_COMPRESSION: "UnsupportedCompressionError",
  INVALID_CONFIG: "InvalidConfigError",
  INVALID_RECORD: "InvalidRecordError",
  READ_ONLY: "ReadOnlyError",
  CLOSED: "ClosedError",
  IO: "StorageError",
  PARTITION_NOT_ASSIGNED: "PartitionNotAssignedError",
  OUT_OF_ORDER_SEQUENCE: "OutOfOrderSequenceError",
  PRODUCER_FENCED: "ProducerFencedError",
};

/** The error class for each code. */
export const errorClasses = {};
for (const [code, name] of Object.entries(CODES)) {
  // A named class per code, so `instanceof` and stack traces say what happened.
  errorClasses[code] = {
    [name]: class extends MqliteError {
      constructor(message, options) {
        super(message, code, options);
      }
    },
  }[name];
}

export const {
  TopicNotFoundError,
  TopicExistsError,
  InvalidTopicNameError,
  PartitionNotFoundError,
  RecordTooLargeError,
  BatchTooLargeError,
  OffsetOutOfRangeError,
  CorruptLogError,
  LogLockedError,
  NotALogError,
  UnsupportedFormatVersionError,
  UnsupportedCompressionError,
  InvalidConfigError,
  InvalidRecordError,
  ReadOnlyError,
  ClosedError,
  StorageError,
  PartitionNotAssignedError,
  OutOfOrderSequenceError,
  ProducerFencedError,
} = Object.fromEntries(Object.entries(CODES).map(([code, name]) => [name, errorClasses[code]]));

/** An error from the native module (a JS Error with a `code`) as its MqliteError subclass. */
export function fromNative(error) {
  if (error instanceof MqliteError) return error;
  const cls = error && typeof error.code === "string" ? errorClasses[error.code] : undefined;
  if (cls) return new cls(error.message);
  return error;
}

/** Runs `f`, turning a native error into its MqliteError subclass. */
export function call(f) {
  try {
    return f();
  } catch (error) {
    throw fromNative(error);
  }
}

/** A TypeError naming the argument, like Node's ERR_INVALID_ARG_TYPE. */
export function argTypeError(name, expected, actual) {
  const shown =
    actual === null ? "null" : typeof actual === "object" ? actual.constructor?.name ?? "object" : typeof actual;
  const error = new TypeError(`${name} must be ${expected}, not ${shown}`);
  error.code = "ERR_INVALID_ARG_TYPE";
  return error;
}

/** A RangeError naming the argument and its allowed range, like Node's ERR_OUT_OF_RANGE. */
export function outOfRange(name, range, actual) {
  const error = new RangeError(`${name} must be a whole number from ${range}, not ${actual}`);
  error.code = "ERR_OUT_OF_RANGE";
  return error;
}
