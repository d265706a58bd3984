//! Core errors as Python exceptions.
//!
//! The `mqlite` package defines the exception classes (a hierarchy under `MqliteError`, in
//! Python) and registers them here by code at import; a core error is raised as the class
//! registered for its code, with `code` set to the code's name. Until registration (the
//! native module used on its own) errors are `RuntimeError`s naming the code.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

static CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// Registers `classes`, a dict from code name (`"TOPIC_NOT_FOUND"`) to exception class.
#[pyfunction]
pub fn _register_errors(py: Python<'_>, classes: Bound<'_, PyDict>) -> PyResult<()> {
    CLASSES
        .set(py, classes.unbind())
        .map_err(|_| PyRuntimeError::new_err("mqlite error classes are registered already"))
}

/// Every code name, in number order: what the package builds its classes from.
#[pyfunction]
pub fn error_codes() -> Vec<(&'static str, u16)> {
    mqlite::ErrorCode::ALL
        .iter()
        .map(|code| (code.as_str(), code.as_u16()))
        .collect()
}

/// The Python exception for a core error.
pub fn to_py_err(error: &mqlite::Error) -> PyErr {
    Python::attach(|py| {
        let code = error.code().as_str();
        let message = error.to_string();
        let class = CLASSES
            .get(py)
            .and_then(|classes| classes.bind(py).get_item(code).ok().flatten());
        if let Some(class) = class
            && let Ok(instance) = class.call1((message.clone(),))
            && instance.setattr("code", code).is_ok()
        {
            return PyErr::from_value(instance);
        }
        PyRuntimeError::new_err(format!("{code}: {message}"))
    })
}

/// `?` for core results in the binding.
pub trait OrRaise<T> {
    /// The core error as its Python exception.
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for mqlite::Result<T> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(|error| to_py_err(&error))
    }
}
