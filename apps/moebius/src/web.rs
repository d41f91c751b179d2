//! The pipeline for the web page: an `Inpainter` class over the same [`crate::inpaint`], loading
//! its five bundles through the browser package (progress, weight cache, hash checks).

use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8ClampedArray};
use onnx2wgsl_web::load::{device_for, fetch_plan, open, Options};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::fit::{mask_for_picture, mask_from_rgba};
use crate::pipeline::BUNDLES;
use crate::{inpaint, Models, Picture, Settings, Sizes, Stage};

fn get(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or_default()
}

fn set(object: &Object, name: &str, value: impl Into<JsValue>) {
    Reflect::set(object, &JsValue::from_str(name), &value.into()).expect("a plain object");
}

fn now() -> f64 {
    let performance = get(&js_sys::global(), "performance");
    match get(&performance, "now").dyn_into::<Function>() {
        Ok(now) => now
            .call0(&performance)
            .ok()
            .and_then(|t| t.as_f64())
            .unwrap_or(0.0),
        Err(_) => js_sys::Date::now(),
    }
}

/// `{ width, height, data }` (ImageData-like, RGBA) as its size and bytes.
fn rgba(value: &JsValue, what: &str) -> Result<(usize, usize, Vec<u8>), JsError> {
    let size = |name| {
        get(value, name)
            .as_f64()
            .filter(|v| *v >= 1.0)
            .map(|v| v as usize)
    };
    let (Some(width), Some(height)) = (size("width"), size("height")) else {
        return Err(JsError::new(&format!(
            "{what}: expected {{ width, height, data }}"
        )));
    };
    let data = get(value, "data");
    let bytes = if let Some(d) = data.dyn_ref::<Uint8ClampedArray>() {
        d.to_vec()
    } else if let Some(d) = data.dyn_ref::<js_sys::Uint8Array>() {
        d.to_vec()
    } else {
        return Err(JsError::new(&format!(
            "{what}: data must be a Uint8ClampedArray (RGBA)"
        )));
    };
    if bytes.len() != width * height * 4 {
        return Err(JsError::new(&format!(
            "{what}: {} bytes for {width}×{height} RGBA",
            bytes.len()
        )));
    }
    Ok((width, height, bytes))
}

fn settings(value: &JsValue) -> Result<Settings, JsError> {
    let mut settings = Settings::default();
    let number = |name| get(value, name).as_f64();
    if let Some(steps) = number("steps") {
        settings.steps = steps as usize;
    }
    if let Some(guidance) = number("guidance") {
        settings.guidance = guidance as f32;
    }
    if let Some(seed) = number("seed") {
        settings.seed = seed as u32;
    }
    if let Some(paste) = get(value, "paste").as_bool() {
        settings.paste = paste;
    }
    Ok(settings)
}

/// The Moebius pipeline on this browser's GPU.
#[wasm_bindgen]
pub struct Inpainter {
    models: Rc<Models>,
}

#[wasm_bindgen]
impl Inpainter {
    /// Loads the bundles `vae_encoder`, `unet`, `vae_decoder`, `prepare` and `step` under `url`
    /// onto one device. `onProgress` hears `{ model, file, loadedBytes, totalBytes,
    /// modelLoadedBytes, modelTotalBytes, cached }`, totals over all five.
    pub async fn load(url: String, options: Option<JsValue>) -> Result<Inpainter, JsError> {
        let options = options.unwrap_or_default();
        let base = if url.ends_with('/') {
            url
        } else {
            format!("{url}/")
        };
        let mut remotes = Vec::new();
        for name in BUNDLES {
            remotes.push(fetch_plan(&format!("{base}{name}/")).await?);
        }
        let sizes = Sizes::of(&remotes[0].plan, &remotes[1].plan, &remotes[2].plan)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let plans: Vec<_> = remotes.iter().map(|r| &r.plan).collect();
        let gpu = device_for(&plans).await?;
        let total: u64 = plans.iter().flat_map(|p| &p.shards).map(|s| s.size).sum();
        let callback = get(&options, "onProgress").dyn_into::<Function>().ok();

        let mut sessions = Vec::new();
        let mut done = 0u64;
        for (name, remote) in BUNDLES.into_iter().zip(remotes) {
            let model_total: u64 = remote.plan.shards.iter().map(|s| s.size).sum();
            let callback = callback.clone();
            // Per-bundle progress, restated over all five bundles for one progress bar.
            let relay = Closure::<dyn Fn(JsValue)>::new(move |p: JsValue| {
                let Some(callback) = &callback else { return };
                let loaded = get(&p, "loadedBytes").as_f64().unwrap_or(0.0);
                let out = Object::new();
                set(&out, "model", name);
                set(&out, "file", get(&p, "file"));
                set(&out, "cached", get(&p, "cached"));
                set(&out, "modelLoadedBytes", loaded);
                set(&out, "modelTotalBytes", model_total as f64);
                set(&out, "loadedBytes", done as f64 + loaded);
                set(&out, "totalBytes", total as f64);
                let _ = callback.call1(&JsValue::NULL, &out);
            });
            let bundle_options = Object::new();
            set(&bundle_options, "onProgress", relay.as_ref().clone());
            set(&bundle_options, "cache", get(&options, "cache"));
            let bundle_options = Options::from_js(&bundle_options.into())?;
            sessions.push(open(&gpu, remote, &bundle_options).await?);
            done += model_total;
        }
        let sessions = sessions
            .try_into()
            .map_err(|_| JsError::new("five sessions"))?;
        Ok(Inpainter {
            models: Rc::new(Models::new(gpu, sessions, sizes)),
        })
    }

    /// The size pictures are fitted into.
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> usize {
        self.models.sizes.width
    }

    #[wasm_bindgen(getter)]
    pub fn height(&self) -> usize {
        self.models.sizes.height
    }

    /// The adapter the models run on, as the browser names it.
    #[wasm_bindgen(getter)]
    pub fn adapter(&self) -> String {
        self.models.gpu.info.name.clone()
    }

    /// Inpaints `picture` (RGBA `{ width, height, data }`) where `mask` (the same shape: white
    /// where to fill in) is painted. `settings`: `{ steps, guidance, seed, paste }`; `onStage`
    /// hears `{ stage: "encoding" | "denoising" | "decoding", step, steps }`. Resolves to
    /// `{ width, height, data, report }` at the picture's own size.
    pub fn inpaint(
        &self,
        picture: JsValue,
        mask: JsValue,
        settings: JsValue,
        on_stage: Option<Function>,
    ) -> Promise {
        let models = Rc::clone(&self.models);
        future_to_promise(async move {
            let (width, height, data) = rgba(&picture, "picture")?;
            let rgb = data
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect();
            let picture = Picture { width, height, rgb };
            let (mw, mh, mask) = rgba(&mask, "mask")?;
            let mask = mask_for_picture(mask_from_rgba(&mask, mw, mh), width, height)
                .map_err(|e| JsError::new(&e.to_string()))?;
            let settings = self::settings(&settings)?;
            let mut progress = |stage: Stage| {
                let Some(callback) = &on_stage else { return };
                let out = Object::new();
                match stage {
                    Stage::Encoding => set(&out, "stage", "encoding"),
                    Stage::Denoising { step, steps } => {
                        set(&out, "stage", "denoising");
                        set(&out, "step", step as f64);
                        set(&out, "steps", steps as f64);
                    }
                    Stage::Decoding => set(&out, "stage", "decoding"),
                }
                let _ = callback.call1(&JsValue::NULL, &out);
            };
            let (out, report) = inpaint(&models, &picture, &mask, &settings, &now, &mut progress)
                .await
                .map_err(|e| JsError::new(&e.to_string()))?;
            let rgba: Vec<u8> = out
                .rgb
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect();
            let result = Object::new();
            set(&result, "width", out.width as f64);
            set(&result, "height", out.height as f64);
            set(&result, "data", Uint8ClampedArray::from(&rgba[..]));
            let timings = Object::new();
            set(&timings, "encodeMs", report.encode_ms);
            let steps: Array = report.step_ms.iter().map(|&t| JsValue::from(t)).collect();
            set(&timings, "stepMs", steps);
            set(&timings, "decodeMs", report.decode_ms);
            set(&timings, "uploadBytes", report.upload_bytes as f64);
            set(&timings, "stepUploadBytes", report.step_upload_bytes as f64);
            set(&timings, "downloadBytes", report.download_bytes as f64);
            set(&result, "report", timings);
            Ok(result.into())
        })
    }
}
