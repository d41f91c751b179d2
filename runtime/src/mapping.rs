//! Waiting for wgpu callbacks without threads. wgpu reports a buffer mapping or finished work
//! through a callback: on native it runs inside `Device::poll`, in a browser from the event loop. A
//! one-shot slot shared with the callback turns it into a future that works in both.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

struct Slot<T> {
    result: Option<T>,
    waker: Option<Waker>,
}

/// Resolves to the value the paired callback was called with.
pub(crate) struct Pending<T>(Arc<Mutex<Slot<T>>>);

/// A future and the callback that resolves it.
pub(crate) fn pending<T: Send + 'static>() -> (Pending<T>, impl FnOnce(T) + Send + 'static) {
    let slot = Arc::new(Mutex::new(Slot {
        result: None,
        waker: None,
    }));
    let sender = Arc::clone(&slot);
    let resolve = move |value| {
        let mut slot = sender.lock().unwrap_or_else(PoisonError::into_inner);
        slot.result = Some(value);
        if let Some(waker) = slot.waker.take() {
            waker.wake();
        }
    };
    (Pending(slot), resolve)
}

pub(crate) type Mapping = Pending<Result<(), wgpu::BufferAsyncError>>;

/// Starts mapping all of `buffer` for reading. On native the result arrives during the next
/// `device.poll`.
pub(crate) fn map_read(buffer: &wgpu::Buffer) -> Mapping {
    let (mapping, resolve) = pending();
    buffer.map_async(wgpu::MapMode::Read, .., resolve);
    mapping
}

/// Waits for `mapping` of all of `buffer` (on native, by polling the device) and returns its bytes.
pub(crate) async fn mapped(
    device: &wgpu::Device,
    buffer: &wgpu::Buffer,
    mapping: Mapping,
) -> Result<wgpu::BufferView, crate::Error> {
    let failed = |e: String| crate::Error::Map(e);
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| failed(e.to_string()))?;
    mapping.await.map_err(|e| failed(e.to_string()))?;
    buffer
        .get_mapped_range(..)
        .map_err(|e| failed(e.to_string()))
}

impl<T> Future for Pending<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match slot.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
