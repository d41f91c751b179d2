//! The wgpu objects a session creates once: pipelines, buffers, and bind groups laid out by the
//! binding convention in [`crate::plan`].

use std::num::NonZeroU64;

use wgpu::util::DeviceExt;

use crate::plan::{Dispatch, Plan};
use crate::validate::{params_block_size, BINDING_ALIGNMENT};

/// Compiles one shader into a pipeline whose entry point is `main`.
pub(crate) fn create_pipeline(
    device: &wgpu::Device,
    file: &str,
    source: &str,
) -> wgpu::ComputePipeline {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(file),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(file),
        // Derived from the shader, so bindings the shader does not use are rejected.
        layout: None,
        module: &module,
        entry_point: Some("main"),
        compilation_options: Default::default(),
        cache: None,
    })
}

/// One per `plan.buffers`. Storage for the shaders, copy destination for inputs and weights,
/// copy source for outputs.
pub(crate) fn create_buffers(device: &wgpu::Device, plan: &Plan) -> Vec<wgpu::Buffer> {
    (plan.buffers.iter().enumerate())
        .map(|(i, buffer)| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(&format!("buffer {i}")),
                size: buffer.size,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_DST
                    | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            })
        })
        .collect()
}

/// One bind group per dispatch.
pub(crate) fn create_bind_groups(
    device: &wgpu::Device,
    plan: &Plan,
    buffers: &[wgpu::Buffer],
    pipelines: &[wgpu::ComputePipeline],
) -> Vec<wgpu::BindGroup> {
    let (params, offsets) = pack_params(&plan.dispatches);
    let uniforms = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("params"),
        contents: &params,
        usage: wgpu::BufferUsages::UNIFORM,
    });
    let binding = |buffer, offset, size| {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer,
            offset,
            size: NonZeroU64::new(size),
        })
    };
    (plan.dispatches.iter().zip(offsets))
        .map(|(dispatch, offset)| {
            let mut entries = Vec::with_capacity(dispatch.bindings.len() + 1);
            if !dispatch.params.is_empty() {
                let size = params_block_size(dispatch.params.len());
                entries.push(wgpu::BindGroupEntry {
                    binding: 0,
                    resource: binding(&uniforms, offset, size),
                });
            }
            for (i, region) in dispatch.bindings.iter().enumerate() {
                let buffer = &buffers[region.buffer as usize];
                entries.push(wgpu::BindGroupEntry {
                    binding: i as u32 + 1,
                    resource: binding(buffer, region.offset, region.size),
                });
            }
            let pipeline = &pipelines[dispatch.shader as usize];
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(&dispatch.label),
                layout: &pipeline.get_bind_group_layout(0),
                entries: &entries,
            })
        })
        .collect()
}

/// Lays every dispatch's params out in one uniform buffer, each block at a 256-aligned offset and
/// zero-padded to [`params_block_size`]. Returns the contents and each dispatch's offset.
fn pack_params(dispatches: &[Dispatch]) -> (Vec<u8>, Vec<u64>) {
    let mut contents = Vec::new();
    let offsets = dispatches
        .iter()
        .map(|dispatch| {
            let offset = contents.len() as u64;
            if !dispatch.params.is_empty() {
                contents.extend(dispatch.params.iter().flat_map(|w| w.to_le_bytes()));
                let end = offset + params_block_size(dispatch.params.len());
                contents.resize(end.next_multiple_of(BINDING_ALIGNMENT) as usize, 0);
            }
            offset
        })
        .collect();
    (contents, offsets)
}
