//! The browser package: plan bundles loaded by URL and run with WebGPU, through a typed
//! JavaScript API. Everything that executes a plan is the runtime crate's; this crate fetches the
//! bundle's files (with progress and a cache of weight shards) and converts tensors.
//!
//! ```js
//! import init, { Session } from "./pkg/onnx2wgsl.js";
//! await init();
//! const session = await Session.load("models/unet/", { onProgress: (p) => {} });
//! const out = await session.run({ x: { data: new Float32Array(12), shape: [1, 3, 4] } });
//! ```

mod cache;
mod fetch;
mod global;
pub mod load;
mod session;
mod tensors;

pub use cache::clear_cache;
pub use session::Session;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Element type of a plan input or output. */
export type DType = "f32" | "i32" | "i64" | "bool";

/** An input or output as the plan declares it. */
export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
}

/**
 * A dense row-major tensor. f32: Float32Array; i32: Int32Array; i64: BigInt64Array (or
 * Int32Array as an input); bool: Uint8Array (0 or 1).
 */
export interface Tensor {
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
  shape: number[];
}

/** An output: its data, shape and dtype. */
export interface OutputTensor extends Tensor {
  dtype: DType;
}

/** Reported after each chunk of a weight shard, and once per shard read from the cache. */
export interface LoadProgress {
  /** The bundle's folder URL. */
  bundle: string;
  /** The shard file, relative to the bundle. */
  file: string;
  fileLoadedBytes: number;
  fileTotalBytes: number;
  /** Over all weight shards of the bundle. */
  loadedBytes: number;
  totalBytes: number;
  /** Whether this shard came from the Cache Storage rather than the network. */
  cached: boolean;
}

export interface LoadOptions {
  onProgress?: (progress: LoadProgress) => void;
  /** Keep weight shards in the Cache Storage, keyed by their SHA-256 (default true). */
  cache?: boolean;
}
"#;
