//! Core errors as JS `Error`s with the core's stable `code`; the JS package turns them into
//! its `Error` subclasses by that code.

use wasm_bindgen::prelude::*;

/// `error` as a JS `Error` whose `code` is the core's code name (`"TOPIC_NOT_FOUND"`).
pub fn to_js(error: &mqlite::Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("MqliteError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code().as_str().into());
    js.into()
}

/// The core's `Result` with the error mapped for JS.
pub type JsResult<T> = Result<T, JsValue>;

/// Maps a core result's error for JS.
pub fn js<T>(result: mqlite::Result<T>) -> JsResult<T> {
    result.map_err(|e| to_js(&e))
}

/// The log was closed.
pub fn closed() -> JsValue {
    to_js(&mqlite::Error::Closed)
}

/// Every error code name, in code order, so the JS package can check it has a class for each.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    mqlite::ErrorCode::ALL
        .iter()
        .map(|code| code.as_str().into())
        .collect()
}
