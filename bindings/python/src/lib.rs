//! The private native module `mqlite._native`: converts Python values to the core's types and
//! back, and maps the core's errors to the exception classes the `mqlite` package registers.
//! Every rule of the engine lives in the core; the public API is Python (`python/src/mqlite`).
//!
//! No Python input may crash the interpreter: arguments are checked and converted before the
//! core sees them (wrong types are `TypeError`, bad values `ValueError`), and the core reports
//! every failure as an error rather than a panic.

mod consumer;
mod convert;
mod errors;
mod future;
mod log;
mod payload;
mod producer;

use pyo3::prelude::*;

/// The partition Kafka's Java client picks for `key` among `partitions`.
#[pyfunction]
fn murmur2(key: &Bound<'_, PyAny>, partitions: i64) -> PyResult<u32> {
    let key = convert::bytes_like("key", key)?;
    let partitions = u32::try_from(partitions)
        .ok()
        .filter(|&p| p > 0)
        .ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "partitions must be at least 1, not {partitions}"
            ))
        })?;
    Ok(mqlite::partitioner::murmur2_partition(&key, partitions))
}

/// The module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<log::PyLog>()?;
    m.add_class::<producer::PyProducer>()?;
    m.add_class::<future::SendFuture>()?;
    m.add_class::<producer::RecordMetadata>()?;
    m.add_class::<consumer::PyConsumer>()?;
    m.add_class::<convert::Record>()?;
    m.add_class::<payload::Payload>()?;
    m.add_function(wrap_pyfunction!(murmur2, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_register_errors, m)?)?;
    m.add_function(wrap_pyfunction!(errors::error_codes, m)?)?;
    m.add("FORMAT_VERSION", mqlite::FormatVersion::CURRENT.as_u8())?;
    Ok(())
}
