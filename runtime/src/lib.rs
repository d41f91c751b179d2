//! Runs onnx2wgsl plan bundles with wgpu, natively and in browsers (wasm32 + WebGPU).
//!
//! The host hands over bytes, never paths: there is no filesystem here.
//!
//! ```no_run
//! # use onnx2wgsl_runtime::{request_device, Error, HostTensor, Plan, Session};
//! # fn read(file: &str) -> Vec<u8> { std::fs::read(file).unwrap() }
//! # async fn example() -> Result<(), Error> {
//! let plan = Plan::from_json(&read("plan.json"))?;
//! let gpu = request_device(&plan).await?;
//! let mut session = Session::new(&gpu, plan, |file| String::from_utf8(read(file)).ok()).await?;
//! for index in session.missing_shards() {
//!     let file = session.plan().shards[index as usize].file.clone();
//!     session.load_shard(index, &read(&file)).await?;
//! }
//! let outputs = session.run(&[("x", HostTensor::f32([1, 3], vec![1.0, 2.0, 3.0]))]).await?;
//! # Ok(())
//! # }
//! ```

mod device;
mod device_tensor;
mod error;
mod hash;
mod inputs;
mod mapping;
pub mod plan;
mod resources;
mod scope;
mod session;
mod tensor;
mod timer;
mod validate;
mod written;

pub use device::{device_limits, request_device, request_device_for, Gpu};
pub use device_tensor::{DeviceTensor, Input};
pub use error::Error;
pub use hash::sha256_hex;
pub use plan::Plan;
pub use session::Session;
pub use tensor::{HostTensor, TensorData};
/// The wgpu this crate was built with, for hosts that bring their own device.
pub use wgpu;
