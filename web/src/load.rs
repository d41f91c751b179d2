//! Loading a bundle by URL: the plan, its shaders, then its weight shards, each shard from the
//! cache or streamed from the network with progress, hash-checked by the runtime before upload.

use js_sys::{Function, Object, Reflect};
use onnx2wgsl_runtime::plan::PLAN_FILE;
use onnx2wgsl_runtime::{request_device, Error, Gpu, Plan, Session};
use wasm_bindgen::prelude::*;
use web_sys::Url;

use crate::cache::WeightCache;
use crate::fetch;
use crate::global::{location_href, message, request_persistent_storage, require_webgpu};

/// What `Session.load` accepts as its second argument.
pub(crate) struct Options {
    on_progress: Option<Function>,
    cache: bool,
}

impl Options {
    pub(crate) fn from_js(value: &JsValue) -> Result<Options, JsError> {
        if value.is_undefined() || value.is_null() {
            return Ok(Options {
                on_progress: None,
                cache: true,
            });
        }
        let field = |name: &str| Reflect::get(value, &JsValue::from_str(name)).unwrap_or_default();
        let on_progress = match field("onProgress") {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(v.dyn_into::<Function>().map_err(|_| {
                JsError::new("Session.load: options.onProgress must be a function")
            })?),
        };
        let cache = match field("cache") {
            v if v.is_undefined() => true,
            v => v
                .as_bool()
                .ok_or_else(|| JsError::new("Session.load: options.cache must be true or false"))?,
        };
        Ok(Options { on_progress, cache })
    }
}

/// The bundle folder's URL, with a trailing slash so that file names resolve inside it.
fn bundle_url(base: &str) -> Result<Url, JsError> {
    let folder = if base.ends_with('/') {
        base.to_owned()
    } else {
        format!("{base}/")
    };
    let parsed = match location_href() {
        Some(page) => Url::new_with_base(&folder, &page),
        None => Url::new(&folder),
    };
    parsed.map_err(|e| JsError::new(&format!("`{base}` is not a URL: {}", message(&e))))
}

fn file_url(bundle: &Url, file: &str) -> Result<String, JsError> {
    Url::new_with_base(file, &bundle.href())
        .map(|url| url.href())
        .map_err(|e| JsError::new(&format!("`{file}` is not a file name: {}", message(&e))))
}

/// Fetches, checks and uploads everything a plan needs; returns the session and its device.
pub(crate) async fn load(base: &str, options: &Options) -> Result<(Session, Gpu), JsError> {
    require_webgpu()?;
    let bundle = bundle_url(base)?;
    let plan = Plan::from_json(&fetch::bytes(&file_url(&bundle, PLAN_FILE)?).await?)?;
    // Validated before anything else is fetched: file names must stay inside the bundle.
    plan.validate()?;
    let gpu = request_device(&plan).await.map_err(|e| match e {
        // wgpu's message lists native backends that a browser never has.
        Error::NoAdapter(_) => JsError::new(
            "this browser offers WebGPU but no adapter (navigator.gpu.requestAdapter() found \
             none): WebGPU may be disabled or the GPU blocklisted",
        ),
        e => e.into(),
    })?;

    // All requests start at once; the browser runs them side by side.
    let mut requests = Vec::with_capacity(plan.shaders.len());
    for shader in &plan.shaders {
        requests.push(fetch::start(file_url(&bundle, &shader.file)?));
    }
    let mut sources = Vec::with_capacity(requests.len());
    for (shader, request) in plan.shaders.iter().zip(requests) {
        // Lossy: bytes that are not UTF-8 then fail the hash check, which names the file.
        let text = String::from_utf8_lossy(&request.bytes().await?).into_owned();
        sources.push((shader.file.clone(), text));
    }
    let source = |file: &str| {
        let found = sources.iter().find(|(name, _)| name == file);
        found.map(|(_, text)| text.clone())
    };
    let mut session = Session::new(&gpu, plan, source).await?;
    load_shards(&mut session, &bundle, options).await?;
    Ok((session, gpu))
}

async fn load_shards(
    session: &mut Session,
    bundle: &Url,
    options: &Options,
) -> Result<(), JsError> {
    let cache = WeightCache::open(options.cache).await;
    if options.cache {
        request_persistent_storage();
    }
    let shards = session.plan().shards.clone();
    let total: u64 = shards.iter().map(|s| s.size).sum();
    let mut done = 0;
    for (index, shard) in (0u32..).zip(&shards) {
        let progress = |loaded: u64, cached: bool| {
            report(
                options,
                &shard.file,
                loaded,
                shard.size,
                done + loaded,
                total,
                cached,
            )
        };
        if let Some(bytes) = cache.get(&shard.sha256).await {
            if session.load_shard(index, &bytes).await.is_ok() {
                progress(shard.size, true)?;
                done += shard.size;
                continue;
            }
            // Stale or damaged: fetch it again.
            cache.remove(&shard.sha256).await;
        }
        let url = file_url(bundle, &shard.file)?;
        let mut failed = None;
        let bytes = fetch::streamed(&url, shard.size, |loaded| {
            if let Err(e) = progress(loaded, false) {
                failed.get_or_insert(e);
            }
        })
        .await?;
        if let Some(error) = failed {
            return Err(error);
        }
        session.load_shard(index, &bytes).await?;
        cache.put(&shard.sha256, &bytes).await;
        done += shard.size;
    }
    Ok(())
}

fn report(
    options: &Options,
    file: &str,
    file_loaded: u64,
    file_total: u64,
    loaded: u64,
    total: u64,
    cached: bool,
) -> Result<(), JsError> {
    let Some(callback) = &options.on_progress else {
        return Ok(());
    };
    let progress = Object::new();
    let fields: [(&str, JsValue); 6] = [
        ("file", file.into()),
        ("fileLoadedBytes", (file_loaded as f64).into()),
        ("fileTotalBytes", (file_total as f64).into()),
        ("loadedBytes", (loaded as f64).into()),
        ("totalBytes", (total as f64).into()),
        ("cached", cached.into()),
    ];
    for (name, value) in fields {
        Reflect::set(&progress, &JsValue::from_str(name), &value).expect("a plain object");
    }
    callback
        .call1(&JsValue::NULL, &progress)
        .map(drop)
        .map_err(|e| JsError::new(&format!("onProgress threw: {}", message(&e))))
}
