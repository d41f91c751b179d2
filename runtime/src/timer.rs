//! GPU timestamps around each dispatch, for [`crate::Session::profile`].

use crate::mapping::{map_read, Mapping};
use crate::Error;

pub(crate) struct Timer {
    queries: wgpu::QuerySet,
    resolved: wgpu::Buffer,
    staging: wgpu::Buffer,
    count: u32,
}

impl Timer {
    /// Two timestamps (start, end) for each of `dispatches`.
    pub(crate) fn new(device: &wgpu::Device, dispatches: usize) -> Result<Timer, Error> {
        if !device.features().contains(wgpu::Features::TIMESTAMP_QUERY) {
            return Err(Error::MissingFeature("timestamp-query".into()));
        }
        let count = u32::try_from(dispatches * 2)
            .ok()
            .filter(|&c| c <= wgpu::QUERY_SET_MAX_QUERIES)
            .ok_or_else(|| Error::Gpu {
                during: "profiling the plan",
                message: format!(
                    "{dispatches} dispatches need more than {} timestamps",
                    wgpu::QUERY_SET_MAX_QUERIES
                ),
            })?;
        let bytes = u64::from(count) * 8;
        let buffer = |label, usage| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: bytes,
                usage,
                mapped_at_creation: false,
            })
        };
        Ok(Timer {
            queries: device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("dispatch timestamps"),
                ty: wgpu::QueryType::Timestamp,
                count,
            }),
            resolved: buffer(
                "timestamps",
                wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            ),
            staging: buffer(
                "timestamps read back",
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            ),
            count,
        })
    }

    pub(crate) fn writes(&self, dispatch: usize) -> wgpu::ComputePassTimestampWrites<'_> {
        wgpu::ComputePassTimestampWrites {
            query_set: &self.queries,
            beginning_of_pass_write_index: Some(2 * dispatch as u32),
            end_of_pass_write_index: Some(2 * dispatch as u32 + 1),
        }
    }

    pub(crate) fn resolve(&self, encoder: &mut wgpu::CommandEncoder) {
        encoder.resolve_query_set(&self.queries, 0..self.count, &self.resolved, 0);
        encoder.copy_buffer_to_buffer(
            &self.resolved,
            0,
            &self.staging,
            0,
            u64::from(self.count) * 8,
        );
    }

    pub(crate) fn read(&self) -> Mapping {
        map_read(&self.staging)
    }

    /// Nanoseconds per dispatch, once [`Timer::read`] has completed.
    pub(crate) fn durations(&self, period_ns: f32) -> Result<Vec<f64>, Error> {
        let bytes = self
            .staging
            .get_mapped_range(..)
            .map_err(|e| Error::Map(e.to_string()))?;
        let ticks: Vec<u64> = bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        Ok(ticks
            .chunks_exact(2)
            .map(|pair| pair[1].saturating_sub(pair[0]) as f64 * f64::from(period_ns))
            .collect())
    }
}
