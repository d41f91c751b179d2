//! Fetching bundle files. A failed request is an error naming the URL and the HTTP status.

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use crate::global::message;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, present in pages and workers.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str) -> Promise;
}

/// A request under way: started when made, so that several run side by side.
pub(crate) struct Request {
    url: String,
    response: Promise,
}

pub(crate) fn start(url: String) -> Request {
    let response = global_fetch(&url);
    Request { url, response }
}

/// The response to a GET of `url`, which must have a 2xx status.
async fn response(request: Request) -> Result<Response, JsError> {
    let url = &request.url;
    let response = JsFuture::from(request.response)
        .await
        .map_err(|e| JsError::new(&format!("could not fetch {url}: {}", message(&e))))?;
    let response: Response = response.dyn_into().map_err(|_| {
        JsError::new(&format!(
            "could not fetch {url}: fetch returned no Response"
        ))
    })?;
    if !response.ok() {
        return Err(JsError::new(&format!(
            "could not fetch {url}: HTTP {} {}",
            response.status(),
            response.status_text()
        )));
    }
    Ok(response)
}

/// The body of `url`.
pub(crate) async fn bytes(url: &str) -> Result<Vec<u8>, JsError> {
    start(url.to_owned()).bytes().await
}

impl Request {
    /// The whole body.
    pub(crate) async fn bytes(self) -> Result<Vec<u8>, JsError> {
        let url = self.url.clone();
        let response = response(self).await?;
        let reading = |e: JsValue| JsError::new(&format!("reading {url} failed: {}", message(&e)));
        let buffer = JsFuture::from(response.array_buffer().map_err(reading)?)
            .await
            .map_err(reading)?;
        Ok(Uint8Array::new(&buffer).to_vec())
    }
}

/// The body of `url`, read chunk by chunk so that `on_chunk` can report progress (it gets the
/// bytes read so far). A body longer than `expected` bytes is refused as soon as it is seen.
pub(crate) async fn streamed(
    url: &str,
    expected: u64,
    mut on_chunk: impl FnMut(u64),
) -> Result<Vec<u8>, JsError> {
    let response = response(start(url.to_owned())).await?;
    let reading = |e: JsValue| JsError::new(&format!("reading {url} failed: {}", message(&e)));
    let Some(body) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let capacity = usize::try_from(expected)
        .map_err(|_| JsError::new(&format!("{url}: {expected} bytes do not fit in memory")))?;
    let mut bytes = Vec::with_capacity(capacity);
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(reading)?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done")).map_err(reading)?;
        if done.as_bool() == Some(true) {
            return Ok(bytes);
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value")).map_err(reading)?;
        let value: Uint8Array = value.dyn_into().map_err(reading)?;
        let start = bytes.len();
        let end = start + value.length() as usize;
        if end as u64 > expected {
            let _ = reader.cancel();
            return Err(JsError::new(&format!(
                "{url} is longer than the {expected} bytes the plan expects"
            )));
        }
        bytes.resize(end, 0);
        value.copy_to(&mut bytes[start..end]);
        on_chunk(end as u64);
    }
}
