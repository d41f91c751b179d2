//! The few globals this package reads. Through `globalThis`, so that it works in a page and in a
//! worker alike.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// `globalThis[name]`, or `None` where it is missing.
pub(crate) fn property(name: &str) -> Option<JsValue> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str(name)).ok()?;
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

/// Fails with a plain message where the browser offers no WebGPU at all, before wgpu is asked.
pub(crate) fn require_webgpu() -> Result<(), JsError> {
    let gpu = property("navigator").and_then(|navigator| {
        let gpu = Reflect::get(&navigator, &JsValue::from_str("gpu")).ok()?;
        (!gpu.is_undefined() && !gpu.is_null()).then_some(gpu)
    });
    match gpu {
        Some(_) => Ok(()),
        None => Err(JsError::new(
            "this browser does not offer WebGPU (navigator.gpu is missing): use a browser with \
             WebGPU enabled, over HTTPS or localhost",
        )),
    }
}

/// The address relative URLs are resolved against: the page's (or the worker's) own.
pub(crate) fn location_href() -> Option<String> {
    let location = property("location")?;
    Reflect::get(&location, &JsValue::from_str("href"))
        .ok()?
        .as_string()
}

/// Asks the browser to keep the weight cache under storage pressure. Not awaited: some browsers
/// answer only after asking the user, and loading must not wait for that.
pub(crate) fn request_persistent_storage() {
    let Some(navigator) = property("navigator") else {
        return;
    };
    let Some(persist) = Reflect::get(&navigator, &JsValue::from_str("storage"))
        .ok()
        .filter(|storage| !storage.is_undefined())
        .and_then(|storage| {
            let persist = Reflect::get(&storage, &JsValue::from_str("persist")).ok()?;
            let persist: js_sys::Function = persist.dyn_into().ok()?;
            persist.call0(&storage).ok()
        })
    else {
        return;
    };
    if let Ok(promise) = persist.dyn_into::<js_sys::Promise>() {
        // The answer changes nothing here; awaiting it keeps a rejection from going unhandled.
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(promise).await;
        });
    }
}

/// The message of a thrown JavaScript value.
pub(crate) fn message(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
