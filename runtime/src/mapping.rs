//! Waiting for a buffer mapping without threads. wgpu reports the mapping through a callback: on
//! native it runs inside `Device::poll`, in a browser from the event loop. A one-shot slot shared
//! with the callback turns it into a future that works in both.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

type MapResult = Result<(), wgpu::BufferAsyncError>;

#[derive(Default)]
struct Slot {
    result: Option<MapResult>,
    waker: Option<Waker>,
}

/// Resolves when the mapping that [`map_read`] started has succeeded or failed.
pub(crate) struct Mapping(Arc<Mutex<Slot>>);

/// Starts mapping all of `buffer` for reading. On native the result arrives during the next
/// `device.poll`.
pub(crate) fn map_read(buffer: &wgpu::Buffer) -> Mapping {
    let slot = Arc::new(Mutex::new(Slot::default()));
    let sender = Arc::clone(&slot);
    buffer.map_async(wgpu::MapMode::Read, .., move |result| {
        let mut slot = sender.lock().unwrap_or_else(PoisonError::into_inner);
        slot.result = Some(result);
        if let Some(waker) = slot.waker.take() {
            waker.wake();
        }
    });
    Mapping(slot)
}

impl Future for Mapping {
    type Output = MapResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MapResult> {
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
