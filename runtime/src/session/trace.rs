//! Running a plan one dispatch at a time and reading back what each wrote: for checking its
//! intermediates (an f16 plan's for infinities, say), which the arenas overwrite as they go.

use super::Session;
use crate::device_tensor::Input;
use crate::inputs::bind_inputs;
use crate::mapping::{map_read, mapped};
use crate::plan::Region;
use crate::scope::captured;
use crate::tensor::HostTensor;
use crate::Error;

impl Session {
    /// Runs the plan once, one dispatch at a time, and after each calls `visit` with the
    /// dispatch's index and the bytes of the regions it writes (in the order of its `writes`).
    /// Every dispatch waits for the GPU and its results travel to the host, so this is slow.
    pub async fn trace(
        &self,
        inputs: &[(&str, HostTensor)],
        visit: &mut dyn FnMut(usize, &[&[u8]]),
    ) -> Result<(), Error> {
        self.check_shards_loaded()?;
        let inputs: Vec<(&str, Input)> = (inputs.iter())
            .map(|(name, tensor)| (*name, Input::Host(tensor)))
            .collect();
        let bound = bind_inputs(&self.plan.inputs, &inputs)?;
        let gpu = |message| Error::Gpu {
            during: "tracing the plan",
            message,
        };
        captured(&self.device, || {
            let mut encoder = self.device.create_command_encoder(&Default::default());
            self.write_inputs(&mut encoder, &bound);
            self.queue.submit([encoder.finish()]);
        })
        .await
        .map_err(gpu)?;
        for (index, dispatch) in self.plan.dispatches.iter().enumerate() {
            let regions: Vec<Region> = (dispatch.writes.iter())
                .map(|&w| dispatch.bindings[w as usize])
                .collect();
            let total: u64 = regions.iter().map(|r| r.size).sum();
            let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("trace readback"),
                size: total.max(4),
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let mapping = captured(&self.device, || {
                let mut encoder = self.device.create_command_encoder(&Default::default());
                {
                    let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                        label: Some(&dispatch.label),
                        timestamp_writes: None,
                    });
                    self.dispatch(&mut pass, index);
                }
                let mut at = 0;
                for region in &regions {
                    let from = &self.buffers[region.buffer as usize];
                    encoder.copy_buffer_to_buffer(from, region.offset, &staging, at, region.size);
                    at += region.size;
                }
                self.queue.submit([encoder.finish()]);
                map_read(&staging)
            })
            .await
            .map_err(gpu)?;
            let bytes = mapped(&self.device, &staging, mapping).await?;
            let mut at = 0;
            let parts: Vec<&[u8]> = (regions.iter())
                .map(|region| {
                    let part = &bytes[at..at + region.size as usize];
                    at += region.size as usize;
                    part
                })
                .collect();
            visit(index, &parts);
        }
        Ok(())
    }
}
