//! Loading a bundle by URL: the plan, its shaders, then its weight shards, each shard from the
//! cache or streamed from the network with progress, hash-checked by the runtime before upload.

use js_sys::{Function, Object, Reflect};
use onnx2wgsl_runtime::plan::PLAN_FILE;
use onnx2wgsl_runtime::{request_device_for, Error, Gpu, Plan, Session};
use wasm_bindgen::prelude::*;
use web_sys::Url;

use crate::cache::WeightCache;
use crate::fetch;
use crate::global::{location_href, message, request_persistent_storage, require_webgpu};

/// What `Session.load` accepts as its second argument.
pub struct Options {
    on_progress: Option<Function>,
    cache: bool,
}

impl Options {
    pub fn from_js(value: &JsValue) -> Result<Options, JsError> {
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

/// A bundle's plan, fetched by URL and validated: nothing else of the bundle is fetched before
/// the device is known to run it.
pub struct Remote {
    url: Url,
    pub plan: Plan,
}

/// Fetches and validates the plan of the bundle at `base` (a folder URL, relative to the page).
pub async fn fetch_plan(base: &str) -> Result<Remote, JsError> {
    let url = bundle_url(base)?;
    let plan = Plan::from_json(&fetch::bytes(&file_url(&url, PLAN_FILE)?).await?)?;
    // Validated before anything else is fetched: file names must stay inside the bundle.
    plan.validate()?;
    Ok(Remote { url, plan })
}

/// A device that runs all of `plans`, or an error that says plainly what this browser lacks.
pub async fn device_for(plans: &[&Plan]) -> Result<Gpu, JsError> {
    require_webgpu()?;
    request_device_for(plans).await.map_err(|e| match e {
        // wgpu's message lists native backends that a browser never has.
        Error::NoAdapter(_) => JsError::new(
            "this browser offers WebGPU but no adapter (navigator.gpu.requestAdapter() found \
             none): WebGPU may be disabled or the GPU blocklisted",
        ),
        e => e.into(),
    })
}

/// Fetches the shaders and weights of `remote` and creates its session on `gpu`.
pub async fn open(gpu: &Gpu, remote: Remote, options: &Options) -> Result<Session, JsError> {
    let Remote { url, plan } = remote;
    // All requests start at once; the browser runs them side by side.
    let mut requests = Vec::with_capacity(plan.shaders.len());
    for shader in &plan.shaders {
        requests.push(fetch::start(file_url(&url, &shader.file)?));
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
    let mut session = Session::new(gpu, plan, source).await?;
    load_shards(&mut session, &url, options).await?;
    Ok(session)
}

/// One bundle on a device of its own: its plan, the device, its shaders and weights.
pub(crate) async fn load(base: &str, options: &Options) -> Result<(Session, Gpu), JsError> {
    let remote = fetch_plan(base).await?;
    let gpu = device_for(&[&remote.plan]).await?;
    Ok((open(&gpu, remote, options).await?, gpu))
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
                [
                    ("bundle", bundle.href().into()),
                    ("file", shard.file.as_str().into()),
                    ("fileLoadedBytes", (loaded as f64).into()),
                    ("fileTotalBytes", (shard.size as f64).into()),
                    ("loadedBytes", ((done + loaded) as f64).into()),
                    ("totalBytes", (total as f64).into()),
                    ("cached", cached.into()),
                ],
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

/// Calls `onProgress`, if given, with an object of `fields` (see `LoadProgress`).
fn report(options: &Options, fields: [(&str, JsValue); 7]) -> Result<(), JsError> {
    let Some(callback) = &options.on_progress else {
        return Ok(());
    };
    let progress = Object::new();
    for (name, value) in fields {
        Reflect::set(&progress, &JsValue::from_str(name), &value).expect("a plain object");
    }
    callback
        .call1(&JsValue::NULL, &progress)
        .map(drop)
        .map_err(|e| JsError::new(&format!("onProgress threw: {}", message(&e))))
}
