//! Time for the engine: `Date.now()`.

/// The JS clock. It holds no JS value, so it is `Send + Sync` as the core's clock must be.
#[derive(Debug, Clone, Copy)]
pub struct JsClock;

impl mqlite::Clock for JsClock {
    fn now_ms(&self) -> i64 {
        now_ms()
    }
}

#[cfg(target_arch = "wasm32")]
fn now_ms() -> i64 {
    let now = js_sys::Date::now();
    if now.is_finite() && now >= 0.0 && now < 9.0e15 {
        now as i64
    } else {
        0
    }
}

/// Outside wasm (the crate's native unit tests) there is no `Date`.
#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> i64 {
    0
}
