//! A plan bound to a device: pipelines, buffers and bind groups are created once, the weights are
//! uploaded shard by shard, then the plan runs as often as the host likes.

use crate::device::{check_subgroups, check_support, Gpu};
use crate::device_tensor::{DeviceTensor, Input};
use crate::hash::check_sha256;
use crate::inputs::{bind_inputs, Source};
use crate::mapping::{map_read, Mapping};
use crate::plan::{Plan, Region};
use crate::resources::{create_bind_groups, create_buffers, create_pipeline};
use crate::scope::captured;
use crate::tensor::HostTensor;
use crate::timer::Timer;
use crate::Error;

mod trace;

/// A plan ready to run on one device. See the crate documentation for the order of calls.
pub struct Session {
    device: wgpu::Device,
    queue: wgpu::Queue,
    plan: Plan,
    /// One per `plan.buffers`.
    buffers: Vec<wgpu::Buffer>,
    /// One per `plan.shaders`.
    pipelines: Vec<wgpu::ComputePipeline>,
    /// One per `plan.dispatches`.
    bind_groups: Vec<wgpu::BindGroup>,
    /// Per shard: whether its bytes are on the device.
    loaded: Vec<bool>,
}

impl Session {
    /// Validates the plan, checks the device against it, verifies and compiles every shader (whose
    /// source `shader_source` returns by file name) and creates every buffer and bind group.
    /// The weights come next, through [`Session::load_shard`].
    pub async fn new(
        gpu: &Gpu,
        plan: Plan,
        shader_source: impl Fn(&str) -> Option<String>,
    ) -> Result<Session, Error> {
        plan.validate()?;
        let features = check_support(&plan, &gpu.device.limits(), gpu.device.features())?;
        if features.contains(wgpu::Features::EXPERIMENTAL_COOPERATIVE_MATRIX) {
            check_subgroups(&gpu.info)?;
        }
        let device = &gpu.device;

        let mut pipelines = Vec::with_capacity(plan.shaders.len());
        for shader in &plan.shaders {
            let source = shader_source(&shader.file)
                .ok_or_else(|| Error::MissingFile(shader.file.clone()))?;
            check_sha256(&shader.file, source.as_bytes(), &shader.sha256)?;
            let pipeline = captured(device, || create_pipeline(device, &shader.file, &source))
                .await
                .map_err(|message| Error::Shader {
                    file: shader.file.clone(),
                    message,
                })?;
            pipelines.push(pipeline);
        }

        let (buffers, bind_groups) = captured(device, || {
            let buffers = create_buffers(device, &plan);
            let bind_groups = create_bind_groups(device, &plan, &buffers, &pipelines);
            (buffers, bind_groups)
        })
        .await
        .map_err(|message| Error::Gpu {
            during: "creating buffers and bind groups",
            message,
        })?;

        Ok(Session {
            device: device.clone(),
            queue: gpu.queue.clone(),
            loaded: vec![false; plan.shards.len()],
            plan,
            buffers,
            pipelines,
            bind_groups,
        })
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Indices (into `plan().shards`) of the shards not loaded yet.
    pub fn missing_shards(&self) -> Vec<u32> {
        (0..self.loaded.len() as u32)
            .filter(|&i| !self.loaded[i as usize])
            .collect()
    }

    /// An error naming the shard files not loaded yet, if any.
    fn check_shards_loaded(&self) -> Result<(), Error> {
        let missing = self.missing_shards();
        if missing.is_empty() {
            return Ok(());
        }
        let files = missing
            .iter()
            .map(|&i| self.plan.shards[i as usize].file.clone());
        Err(Error::ShardsMissing(files.collect()))
    }

    /// Verifies the size and hash of shard `index` and uploads it into its buffer. Hosts call this
    /// once per shard, reporting progress as they like; loading a shard again replaces it.
    pub async fn load_shard(&mut self, index: u32, bytes: &[u8]) -> Result<(), Error> {
        let shard = self
            .plan
            .shards
            .get(index as usize)
            .ok_or(Error::IndexOutOfRange {
                what: "load_shard".to_owned(),
                kind: "shard",
                index,
                count: self.plan.shards.len(),
            })?;
        if bytes.len() as u64 != shard.size {
            return Err(Error::ShardSize {
                file: shard.file.clone(),
                expected: shard.size,
                actual: bytes.len() as u64,
            });
        }
        check_sha256(&shard.file, bytes, &shard.sha256)?;
        let buffer = (self.plan.buffers.iter())
            .position(|b| b.shard == Some(index))
            .expect("validate: every shard fills one buffer");
        captured(&self.device, || {
            self.queue.write_buffer(&self.buffers[buffer], 0, bytes)
        })
        .await
        .map_err(|message| Error::Gpu {
            during: "uploading a shard",
            message,
        })?;
        self.loaded[index as usize] = true;
        Ok(())
    }

    /// Runs the plan once: writes the inputs, records every dispatch into one compute pass,
    /// submits, and reads the outputs back in the order of `plan().outputs`.
    pub async fn run(
        &self,
        inputs: &[(&str, HostTensor)],
    ) -> Result<Vec<(String, HostTensor)>, Error> {
        self.check_shards_loaded()?;
        let inputs: Vec<(&str, Input)> = (inputs.iter())
            .map(|(name, tensor)| (*name, Input::Host(tensor)))
            .collect();
        let bound = bind_inputs(&self.plan.inputs, &inputs)?;
        let readbacks = captured(&self.device, || {
            let mut encoder = self.record(&bound, None);
            let staging: Vec<wgpu::Buffer> = (self.plan.outputs.iter())
                .map(|io| {
                    let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
                        label: Some(&io.name),
                        size: io.region.size,
                        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                        mapped_at_creation: false,
                    });
                    self.copy_out(&mut encoder, io.region, &staging);
                    staging
                })
                .collect();
            self.queue.submit([encoder.finish()]);
            (staging.into_iter())
                .map(|buffer| {
                    let mapping = map_read(&buffer);
                    (buffer, mapping)
                })
                .collect::<Vec<(wgpu::Buffer, Mapping)>>()
        })
        .await
        .map_err(|message| Error::Gpu {
            during: "running the plan",
            message,
        })?;
        // Native: blocks until the GPU is done and runs the map callbacks. Web: a no-op, the
        // browser resolves the mappings from its event loop while we await them below.
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Map(e.to_string()))?;
        let mut outputs = Vec::with_capacity(readbacks.len());
        for (io, (staging, mapping)) in self.plan.outputs.iter().zip(readbacks) {
            mapping.await.map_err(|e| Error::Map(e.to_string()))?;
            let bytes = staging
                .get_mapped_range(..)
                .map_err(|e| Error::Map(e.to_string()))?;
            let tensor = HostTensor::from_device_bytes(io.dtype, &io.shape, &bytes);
            outputs.push((io.name.clone(), tensor));
        }
        Ok(outputs)
    }

    /// Runs the plan once with inputs from the host or already on this device, and keeps the
    /// outputs on the device, each in a buffer of its own, in the order of `plan().outputs`.
    /// Nothing is read back and nothing waits for the GPU: host bytes go up, that is all.
    pub async fn run_on_device(
        &self,
        inputs: &[(&str, Input<'_>)],
    ) -> Result<Vec<(String, DeviceTensor)>, Error> {
        self.check_shards_loaded()?;
        let bound = bind_inputs(&self.plan.inputs, inputs)?;
        captured(&self.device, || {
            let mut encoder = self.record(&bound, None);
            let outputs = (self.plan.outputs.iter())
                .map(|io| {
                    let size = io.region.size;
                    let out =
                        DeviceTensor::new(&self.device, &self.queue, io.dtype, &io.shape, size);
                    self.copy_out(&mut encoder, io.region, &out.buffer);
                    (io.name.clone(), out)
                })
                .collect();
            self.queue.submit([encoder.finish()]);
            outputs
        })
        .await
        .map_err(|message| Error::Gpu {
            during: "running the plan",
            message,
        })
    }

    /// Writes the host inputs, then records copies of the device inputs and every dispatch.
    /// With `timer`, each dispatch gets a pass of its own whose start and end are timestamped.
    fn record(&self, inputs: &[(Region, Source)], timer: Option<&Timer>) -> wgpu::CommandEncoder {
        let mut encoder = (self.device)
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("run") });
        self.write_inputs(&mut encoder, inputs);
        match timer {
            None => {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("plan"),
                    timestamp_writes: None,
                });
                for index in 0..self.plan.dispatches.len() {
                    self.dispatch(&mut pass, index);
                }
            }
            Some(timer) => {
                for index in 0..self.plan.dispatches.len() {
                    let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                        label: Some(&self.plan.dispatches[index].label),
                        timestamp_writes: Some(timer.writes(index)),
                    });
                    self.dispatch(&mut pass, index);
                }
                timer.resolve(&mut encoder);
            }
        }
        encoder
    }

    /// Writes the host inputs and records copies of the device inputs into their regions.
    fn write_inputs(&self, encoder: &mut wgpu::CommandEncoder, inputs: &[(Region, Source)]) {
        for (region, source) in inputs {
            let buffer = &self.buffers[region.buffer as usize];
            match source {
                Source::Bytes(bytes) => self.queue.write_buffer(buffer, region.offset, bytes),
                Source::Buffer(from) => {
                    encoder.copy_buffer_to_buffer(from, 0, buffer, region.offset, region.size)
                }
            }
        }
    }

    /// Copies an output's region out of the arena into `to`.
    fn copy_out(&self, encoder: &mut wgpu::CommandEncoder, region: Region, to: &wgpu::Buffer) {
        let from = &self.buffers[region.buffer as usize];
        encoder.copy_buffer_to_buffer(from, region.offset, to, 0, region.size);
    }

    fn dispatch(&self, pass: &mut wgpu::ComputePass, index: usize) {
        let dispatch = &self.plan.dispatches[index];
        pass.set_pipeline(&self.pipelines[dispatch.shader as usize]);
        pass.set_bind_group(0, &self.bind_groups[index], &[]);
        let [x, y, z] = dispatch.workgroups;
        pass.dispatch_workgroups(x, y, z);
    }

    /// Runs the plan once with every dispatch in a compute pass of its own and returns each
    /// dispatch's GPU time in nanoseconds, in plan order. Passes cost a little each, so the sum
    /// exceeds what [`Session::run`] takes; the split shows where the time goes. Needs a device
    /// with `TIMESTAMP_QUERY` ([`crate::request_device`] asks for it when the adapter has it).
    pub async fn profile(&self, inputs: &[(&str, HostTensor)]) -> Result<Vec<f64>, Error> {
        self.check_shards_loaded()?;
        let inputs: Vec<(&str, Input)> = (inputs.iter())
            .map(|(name, tensor)| (*name, Input::Host(tensor)))
            .collect();
        let bound = bind_inputs(&self.plan.inputs, &inputs)?;
        let timer = Timer::new(&self.device, self.plan.dispatches.len())?;
        let gpu = |message| Error::Gpu {
            during: "profiling the plan",
            message,
        };
        captured(&self.device, || {
            let encoder = self.record(&bound, Some(&timer));
            self.queue.submit([encoder.finish()]);
        })
        .await
        .map_err(gpu)?;
        let reading = timer.read();
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Map(e.to_string()))?;
        reading.await.map_err(|e| Error::Map(e.to_string()))?;
        timer.durations(self.queue.get_timestamp_period())
    }
}
