//! Moebius image inpainting on onnx2wgsl plans. The pipeline is written once, here, and runs
//! natively (the `moebius` command) and in browsers (compiled to wasm); `apps/moebius/README.md`
//! states every step and constant.

#[cfg(not(target_arch = "wasm32"))]
pub mod bundles;
mod error;
pub mod fit;
#[cfg(not(target_arch = "wasm32"))]
pub mod graphs;
pub mod noise;
pub mod pipeline;
pub mod resample;
pub mod schedule;
pub mod sizes;
#[cfg(target_arch = "wasm32")]
mod web;

pub use error::Error;
pub use pipeline::{inpaint, Models, Picture, Report, Settings, Stage};
pub use sizes::Sizes;
