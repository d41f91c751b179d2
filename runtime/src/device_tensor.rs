//! Tensors that stay on the device between runs: the output of one run bound as an input of the
//! next run, or of another plan on the same device, with no trip through the host. A diffusion
//! sampler moves its latents this way, so a whole run reads back only the final image.

use crate::mapping::{map_read, mapped};
use crate::plan::DType;
use crate::scope::captured;
use crate::tensor::HostTensor;
use crate::Error;

/// A dense tensor in a buffer of its own on one device.
#[derive(Clone, Debug)]
pub struct DeviceTensor {
    pub(crate) buffer: wgpu::Buffer,
    pub dtype: DType,
    pub shape: Vec<usize>,
    device: wgpu::Device,
    queue: wgpu::Queue,
}

/// What a run takes for one input: host data to upload, or a tensor already on the device.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    Host(&'a HostTensor),
    Device(&'a DeviceTensor),
}

impl<'a> From<&'a HostTensor> for Input<'a> {
    fn from(tensor: &'a HostTensor) -> Input<'a> {
        Input::Host(tensor)
    }
}

impl<'a> From<&'a DeviceTensor> for Input<'a> {
    fn from(tensor: &'a DeviceTensor) -> Input<'a> {
        Input::Device(tensor)
    }
}

impl DeviceTensor {
    /// An uninitialised tensor of `bytes` bytes (at least 4: a binding cannot be empty).
    pub(crate) fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        dtype: DType,
        shape: &[usize],
        bytes: u64,
    ) -> DeviceTensor {
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("device tensor"),
            size: bytes.max(4),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        DeviceTensor {
            buffer,
            dtype,
            shape: shape.to_vec(),
            device: device.clone(),
            queue: queue.clone(),
        }
    }

    /// Uploads `tensor` (its device words: i64 narrowed to i32, bool widened to u32).
    pub async fn upload(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        name: &str,
        tensor: &HostTensor,
    ) -> Result<DeviceTensor, Error> {
        let bytes = tensor.to_device_bytes(name)?;
        let uploaded = DeviceTensor::new(
            device,
            queue,
            tensor.dtype(),
            &tensor.shape,
            bytes.len() as u64,
        );
        captured(device, || queue.write_buffer(&uploaded.buffer, 0, &bytes))
            .await
            .map_err(|message| Error::Gpu {
                during: "uploading a tensor",
                message,
            })?;
        Ok(uploaded)
    }

    /// Bytes the tensor occupies on the device.
    pub fn size(&self) -> u64 {
        self.shape.iter().product::<usize>() as u64 * self.dtype.device_size()
    }

    /// Reads the tensor back to the host.
    pub async fn read(&self) -> Result<HostTensor, Error> {
        let size = self.buffer.size();
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("device tensor readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mapping = captured(&self.device, || {
            let mut encoder = (self.device).create_command_encoder(&Default::default());
            encoder.copy_buffer_to_buffer(&self.buffer, 0, &staging, 0, size);
            self.queue.submit([encoder.finish()]);
            map_read(&staging)
        })
        .await
        .map_err(|message| Error::Gpu {
            during: "reading a tensor back",
            message,
        })?;
        let bytes = mapped(&self.device, &staging, mapping).await?;
        Ok(HostTensor::from_device_bytes(
            self.dtype,
            &self.shape,
            &bytes,
        ))
    }
}
