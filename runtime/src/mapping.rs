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
