//! Weight shards kept in the Cache Storage API, keyed by their SHA-256: a second visit, or a
//! rebuilt bundle whose weights did not change, downloads no weight bytes. The cache is a
//! convenience: where it is missing (an insecure context) or full, loading goes on without it.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Cache, CacheStorage, Response};

use crate::global::{message, property};

const CACHE_NAME: &str = "onnx2wgsl-weights";

/// Keys are URLs; the reserved `.invalid` domain makes sure none is ever fetched.
fn key(sha256: &str) -> String {
    format!("https://onnx2wgsl.invalid/sha256/{sha256}")
}

fn storage() -> Option<CacheStorage> {
    property("caches")?.dyn_into().ok()
}

pub(crate) struct WeightCache(Option<Cache>);

impl WeightCache {
    /// The shared cache, or one that holds nothing when `enabled` is false or the browser has
    /// no Cache Storage here.
    pub(crate) async fn open(enabled: bool) -> WeightCache {
        let Some(storage) = storage().filter(|_| enabled) else {
            return WeightCache(None);
        };
        let cache = JsFuture::from(storage.open(CACHE_NAME)).await;
        WeightCache(cache.ok().and_then(|cache| cache.dyn_into().ok()))
    }

    /// The bytes stored under `sha256`, if any.
    pub(crate) async fn get(&self, sha256: &str) -> Option<Vec<u8>> {
        let cache = self.0.as_ref()?;
        let found = JsFuture::from(cache.match_with_str(&key(sha256)))
            .await
            .ok()?;
        let response: Response = found.dyn_into().ok()?;
        let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
        Some(Uint8Array::new(&buffer).to_vec())
    }

    /// Stores `bytes` under `sha256`; a failure (the quota, say) is logged and otherwise ignored.
    pub(crate) async fn put(&self, sha256: &str, bytes: &[u8]) {
        let Some(cache) = &self.0 else { return };
        let body = Uint8Array::from(bytes);
        let stored = match Response::new_with_opt_buffer_source(Some(&body)) {
            Ok(response) => JsFuture::from(cache.put_with_str(&key(sha256), &response))
                .await
                .map(drop),
            Err(e) => Err(e),
        };
        if let Err(e) = stored {
            warn(&format!("onnx2wgsl: weights not cached ({})", message(&e)));
        }
    }

    /// Drops the entry under `sha256` (one whose bytes no longer match their hash).
    pub(crate) async fn remove(&self, sha256: &str) {
        if let Some(cache) = &self.0 {
            let _ = JsFuture::from(cache.delete_with_str(&key(sha256))).await;
        }
    }
}

fn warn(text: &str) {
    web_sys::console::warn_1(&JsValue::from_str(text));
}

/// Deletes every cached weight shard. Resolves to whether there was a cache to delete.
#[wasm_bindgen(js_name = clearCache)]
pub async fn clear_cache() -> Result<bool, JsError> {
    let Some(storage) = storage() else {
        return Ok(false);
    };
    let deleted = JsFuture::from(storage.delete(CACHE_NAME))
        .await
        .map_err(|e| {
            JsError::new(&format!(
                "clearing the weight cache failed: {}",
                message(&e)
            ))
        })?;
    Ok(deleted.as_bool() == Some(true))
}
