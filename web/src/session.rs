//! The `Session` class of the JavaScript API.

use std::rc::Rc;

use js_sys::Promise;
use onnx2wgsl_runtime::Session as Runtime;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::load::{load, Options};
use crate::tensors::{describe, host_inputs, js_outputs};

/// A plan bundle loaded onto this browser's GPU, ready to run.
#[wasm_bindgen]
pub struct Session {
    runtime: Rc<Runtime>,
    adapter: String,
}

#[wasm_bindgen]
impl Session {
    /// Fetches the bundle at `url` (a folder holding `plan.json`, relative to the page), checks
    /// the adapter against the plan, compiles its shaders and uploads its weights, each shard
    /// checked against its SHA-256.
    pub async fn load(
        url: String,
        #[wasm_bindgen(unchecked_param_type = "LoadOptions")] options: Option<JsValue>,
    ) -> Result<Session, JsError> {
        let options = Options::from_js(&options.unwrap_or_default())?;
        let (runtime, gpu) = load(&url, &options).await?;
        let adapter = [gpu.info.name.as_str(), gpu.info.driver.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Session {
            runtime: Rc::new(runtime),
            adapter,
        })
    }

    /// The plan's inputs, in its order.
    #[wasm_bindgen(getter, unchecked_return_type = "TensorInfo[]")]
    pub fn inputs(&self) -> JsValue {
        describe(&self.runtime.plan().inputs).into()
    }

    /// The plan's outputs, in its order.
    #[wasm_bindgen(getter, unchecked_return_type = "TensorInfo[]")]
    pub fn outputs(&self) -> JsValue {
        describe(&self.runtime.plan().outputs).into()
    }

    /// The adapter the session runs on, as the browser names it (may be empty: browsers hide it).
    #[wasm_bindgen(getter)]
    pub fn adapter(&self) -> String {
        self.adapter.clone()
    }

    /// Runs the plan once. Every input must be given, by name, with the plan's dtype and shape.
    #[wasm_bindgen(unchecked_return_type = "Promise<Record<string, OutputTensor>>")]
    pub fn run(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, Tensor>")] inputs: JsValue,
    ) -> Promise {
        let runtime = Rc::clone(&self.runtime);
        future_to_promise(async move {
            let inputs = host_inputs(&runtime.plan().inputs, &inputs)?;
            let outputs = runtime.run(&inputs).await.map_err(JsError::from)?;
            Ok(js_outputs(outputs))
        })
    }
}
