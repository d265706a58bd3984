//! Zero-copy record bytes: a `Payload` exports a core `Bytes` (a slice of the buffer a batch
//! was read into) through Python's buffer protocol, so `memoryview(payload)` reads the engine's
//! memory directly. The only unsafe code in mqlite: the buffer protocol is a C interface.
//!
//! Invariants: the exported buffer is read-only; the `Payload` owns its `Bytes` and is frozen,
//! so the memory stays valid and unchanged while any view holds the object (the view keeps a
//! reference to it in `view.obj`).
#![allow(
    unsafe_code,
    reason = "the buffer protocol is a C interface; see the module docs"
)]

use bytes::Bytes;
use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;
use std::ffi::{c_int, c_void};

/// Read-only bytes owned by the engine, viewable without a copy.
#[pyclass(module = "mqlite._native", frozen)]
pub struct Payload {
    bytes: Bytes,
}

impl Payload {
    /// Wraps `bytes`.
    pub fn new(bytes: Bytes) -> Self {
        Self { bytes }
    }
}

/// The buffer format of unsigned bytes, NUL-terminated for C.
static FORMAT_UNSIGNED_BYTES: &[u8; 2] = b"B\0";

#[pymethods]
impl Payload {
    fn __len__(&self) -> usize {
        self.bytes.len()
    }

    /// Fills `view` with this payload's bytes, read-only.
    ///
    /// # Safety
    /// Called by the interpreter with a valid, writable `Py_buffer` pointer, per the buffer
    /// protocol.
    unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        if view.is_null() {
            return Err(PyBufferError::new_err("no view to fill"));
        }
        if flags & ffi::PyBUF_WRITABLE == ffi::PyBUF_WRITABLE {
            return Err(PyBufferError::new_err("record bytes are read-only"));
        }
        let bytes = &slf.get().bytes;
        let len = ffi::Py_ssize_t::try_from(bytes.len())
            .map_err(|_| PyBufferError::new_err("payload too large to export"))?;
        // SAFETY: `view` is non-null and valid for writes (the protocol's contract). `obj`
        // takes a strong reference to the payload, released by the interpreter with the view,
        // so `bytes` (owned by the frozen payload) outlives every read through `buf`. The
        // format string is static; `shape` and `strides` point into the view itself, as the
        // protocol allows for one-dimensional buffers.
        unsafe {
            (*view).obj = slf.clone().into_any().into_ptr();
            (*view).buf = bytes.as_ptr().cast_mut().cast::<c_void>();
            (*view).len = len;
            (*view).readonly = 1;
            (*view).itemsize = 1;
            (*view).format = if flags & ffi::PyBUF_FORMAT == ffi::PyBUF_FORMAT {
                FORMAT_UNSIGNED_BYTES
                    .as_ptr()
                    .cast::<std::ffi::c_char>()
                    .cast_mut()
            } else {
                std::ptr::null_mut()
            };
            (*view).ndim = 1;
            (*view).shape = if flags & ffi::PyBUF_ND == ffi::PyBUF_ND {
                &raw mut (*view).len
            } else {
                std::ptr::null_mut()
            };
            (*view).strides = if flags & ffi::PyBUF_STRIDES == ffi::PyBUF_STRIDES {
                &raw mut (*view).itemsize
            } else {
                std::ptr::null_mut()
            };
            (*view).suboffsets = std::ptr::null_mut();
            (*view).internal = std::ptr::null_mut();
        }
        Ok(())
    }

    /// Nothing to release: the view's reference to the payload keeps the bytes alive.
    ///
    /// # Safety
    /// Called by the interpreter with the view `__getbuffer__` filled.
    unsafe fn __releasebuffer__(&self, _view: *mut ffi::Py_buffer) {}
}
