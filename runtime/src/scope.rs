//! wgpu reports most mistakes asynchronously to the device, whose default handler panics on native.
//! Every call that can fail runs inside [`captured`], which turns the first such error into a value.

/// Runs `work` with out-of-memory, internal and validation errors captured. `work` must not await:
/// error scopes belong to the thread (native) that pushed them.
pub(crate) async fn captured<T>(
    device: &wgpu::Device,
    work: impl FnOnce() -> T,
) -> Result<T, String> {
    let out_of_memory = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let internal = device.push_error_scope(wgpu::ErrorFilter::Internal);
    let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let value = work();
    // Scopes pop innermost first; the futures may then be awaited in any order.
    let errors = [validation.pop(), internal.pop(), out_of_memory.pop()];
    for error in errors {
        if let Some(error) = error.await {
            return Err(error.to_string());
        }
    }
    Ok(value)
}
