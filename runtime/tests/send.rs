//! Native hosts spawn the runtime's futures on multi-threaded executors, so they must be `Send`.
//! (On wasm nothing needs to be, and wgpu's futures are not.)
#![cfg(not(target_arch = "wasm32"))]

use onnx2wgsl_runtime::{request_device, Gpu, Plan, Session};

fn send<T: Send>(_: &T) {}

#[test]
fn futures_are_send() {
    // Type-checked, never called: the point is that this compiles.
    let _ = |gpu: &Gpu, plan: Plan, session: &mut Session| {
        send(&request_device(&plan));
        send(&Session::new(gpu, plan, |_: &str| None));
        send(&session.run(&[]));
        send(&session.load_shard(0, &[]));
    };
}
