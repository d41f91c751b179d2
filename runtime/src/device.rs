//! Choosing an adapter and creating a device that offers what a plan needs — and no more, so that a
//! plan that runs here also runs on any device meeting the plan's limits (a browser's included).

use crate::mapping::pending;
use crate::plan::{Limits, Plan};
use crate::Error;

/// A device ready to run plans. A host that already has a device builds one itself:
/// `Gpu { device, queue, info }` ([`crate::Session::new`] checks its limits and features).
#[derive(Clone, Debug)]
pub struct Gpu {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
}

impl Gpu {
    /// Resolves when the device has finished all work submitted so far (for timing a stage).
    pub async fn finish(&self) -> Result<(), Error> {
        let (done, resolve) = pending();
        self.queue.on_submitted_work_done(move || resolve(()));
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Map(e.to_string()))?;
        done.await;
        Ok(())
    }
}

/// Picks the default adapter (`WGPU_BACKEND` and `WGPU_POWER_PREF` apply; a high-performance one
/// otherwise), checks it against the plan and requests a device with the plan's limits.
pub async fn request_device(plan: &Plan) -> Result<Gpu, Error> {
    request_device_for(&[plan]).await
}

/// As [`request_device`], for a device that runs all of `plans` (an application chaining several
/// models): the largest of their limits, all of their features.
pub async fn request_device_for(plans: &[&Plan]) -> Result<Gpu, Error> {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let adapter = instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::from_env()
                .unwrap_or(wgpu::PowerPreference::HighPerformance),
            ..Default::default()
        })
        .await
        .map_err(|e| Error::NoAdapter(e.to_string()))?;
    // Timestamps are not part of any plan; asked for when offered so `Session::profile` works.
    let mut required_features = adapter.features() & wgpu::Features::TIMESTAMP_QUERY;
    let mut limits = wgpu::Limits::downlevel_defaults();
    for plan in plans {
        required_features |= check_support(plan, &adapter.limits(), adapter.features())?;
        limits = limits.or_better_values_from(&device_limits(&plan.limits));
    }
    let cooperative = required_features.contains(wgpu::Features::EXPERIMENTAL_COOPERATIVE_MATRIX);
    if cooperative {
        check_matrices(&adapter.cooperative_matrix_properties())?;
        check_subgroups(&adapter.get_info())?;
    }
    let (device, queue) = adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("onnx2wgsl"),
            required_features,
            required_limits: limits,
            experimental_features: match cooperative {
                // SAFETY: wgpu marks cooperative matrices experimental: misuse is undefined
                // behaviour. `check_support` lets no other experimental feature through. The
                // compiler's kernels load matrices only inside tensors (whole tiles of weight
                // rows, a 1×1 convolution's input over whole tiles of pixels, workgroup memory
                // they fill within bounds) and were built for the matrix shape and subgroup size
                // checked above. A plan is trusted to be the compiler's: its shaders' hashes are
                // checked, not what they do.
                true => unsafe { wgpu::ExperimentalFeatures::enabled() },
                false => wgpu::ExperimentalFeatures::disabled(),
            },
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        })
        .await
        .map_err(|e| Error::RequestDevice(e.to_string()))?;
    Ok(Gpu {
        device,
        queue,
        info: adapter.get_info(),
    })
}

/// The cooperative-matrix convolutions multiply 16×16×16 f16 matrices into f32 sums: the
/// adapter must offer that shape.
fn check_matrices(offered: &[wgpu::CooperativeMatrixProperties]) -> Result<(), Error> {
    let shape = offered.iter().any(|c| {
        (c.m_size, c.n_size, c.k_size) == (16, 16, 16)
            && c.ab_type == wgpu::CooperativeScalarType::F16
            && c.cr_type == wgpu::CooperativeScalarType::F32
    });
    match shape {
        true => Ok(()),
        false => Err(Error::CooperativeMatrix(
            "16×16×16 f16 matrices with f32 sums, which the adapter does not offer".into(),
        )),
    }
}

/// The cooperative-matrix convolutions lay their workgroups out as subgroups of 32 invocations
/// and hand each subgroup's sums to its invocations 32 at a time: the adapter must run subgroups
/// of 32 and no other size.
pub(crate) fn check_subgroups(info: &wgpu::AdapterInfo) -> Result<(), Error> {
    subgroups_of_32(info.subgroup_min_size, info.subgroup_max_size)
}

fn subgroups_of_32(min: u32, max: u32) -> Result<(), Error> {
    match (min, max) {
        (32, 32) => Ok(()),
        (min, max) => Err(Error::CooperativeMatrix(format!(
            "subgroups of exactly 32 invocations; the adapter's are {min} to {max}"
        ))),
    }
}

/// The limits to request: wgpu's downlevel defaults (which every WebGPU device and most native
/// ones meet), raised where the plan needs more.
pub fn device_limits(plan: &Limits) -> wgpu::Limits {
    let base = wgpu::Limits::downlevel_defaults();
    wgpu::Limits {
        max_storage_buffer_binding_size: base
            .max_storage_buffer_binding_size
            .max(plan.max_storage_buffer_binding_size),
        max_buffer_size: base.max_buffer_size.max(plan.max_buffer_size),
        max_storage_buffers_per_shader_stage: base
            .max_storage_buffers_per_shader_stage
            .max(plan.max_storage_buffers_per_shader_stage),
        max_compute_workgroup_storage_size: base
            .max_compute_workgroup_storage_size
            .max(plan.max_compute_workgroup_storage_size),
        max_compute_invocations_per_workgroup: base
            .max_compute_invocations_per_workgroup
            .max(plan.max_compute_invocations_per_workgroup),
        max_compute_workgroup_size_x: base
            .max_compute_workgroup_size_x
            .max(plan.max_compute_workgroup_size_x),
        max_compute_workgroups_per_dimension: base
            .max_compute_workgroups_per_dimension
            .max(plan.max_compute_workgroups_per_dimension),
        ..base
    }
}

/// Checks `limits` and `features` (an adapter's or a device's) against the plan and returns the
/// wgpu features the plan needs.
pub(crate) fn check_support(
    plan: &Plan,
    limits: &wgpu::Limits,
    features: wgpu::Features,
) -> Result<wgpu::Features, Error> {
    let p = &plan.limits;
    let pairs = [
        (
            "max_storage_buffer_binding_size",
            p.max_storage_buffer_binding_size,
            limits.max_storage_buffer_binding_size,
        ),
        ("max_buffer_size", p.max_buffer_size, limits.max_buffer_size),
        (
            "max_storage_buffers_per_shader_stage",
            p.max_storage_buffers_per_shader_stage.into(),
            limits.max_storage_buffers_per_shader_stage.into(),
        ),
        (
            "max_compute_workgroup_storage_size",
            p.max_compute_workgroup_storage_size.into(),
            limits.max_compute_workgroup_storage_size.into(),
        ),
        (
            "max_compute_invocations_per_workgroup",
            p.max_compute_invocations_per_workgroup.into(),
            limits.max_compute_invocations_per_workgroup.into(),
        ),
        (
            "max_compute_workgroup_size_x",
            p.max_compute_workgroup_size_x.into(),
            limits.max_compute_workgroup_size_x.into(),
        ),
        (
            "max_compute_workgroups_per_dimension",
            p.max_compute_workgroups_per_dimension.into(),
            limits.max_compute_workgroups_per_dimension.into(),
        ),
    ];
    for (name, needed, available) in pairs {
        if needed > available {
            return Err(Error::Limit {
                name,
                needed,
                available,
            });
        }
    }
    let mut required = wgpu::Features::empty();
    for name in &plan.features {
        // `FromStr` reads WebGPU's kebab-case names, such as `shader-f16`.
        let feature: wgpu::Features = name
            .parse()
            .map_err(|()| Error::UnknownFeature(name.clone()))?;
        // Experimental features are undefined behaviour when misused: only the one the
        // compiler's kernels are written for is enabled.
        let experimental = feature & wgpu::Features::all_experimental_mask();
        if !(experimental - wgpu::Features::EXPERIMENTAL_COOPERATIVE_MATRIX).is_empty() {
            return Err(Error::ExperimentalFeature(name.clone()));
        }
        if !features.contains(feature) {
            return Err(Error::MissingFeature(name.clone()));
        }
        required |= feature;
    }
    Ok(required)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrices(m: u32, ab: wgpu::CooperativeScalarType) -> wgpu::CooperativeMatrixProperties {
        wgpu::CooperativeMatrixProperties {
            m_size: m,
            n_size: 16,
            k_size: 16,
            ab_type: ab,
            cr_type: wgpu::CooperativeScalarType::F32,
            saturating_accumulation: false,
        }
    }

    #[test]
    fn cooperative_matrices_need_the_shape_the_kernels_use() {
        use wgpu::CooperativeScalarType::{F16, F32};
        assert!(check_matrices(&[matrices(8, F16), matrices(16, F16)]).is_ok());
        for offered in [vec![], vec![matrices(8, F16)], vec![matrices(16, F32)]] {
            let e = check_matrices(&offered).unwrap_err();
            assert!(e.to_string().contains("16×16×16 f16"), "{e}");
        }
    }

    #[test]
    fn cooperative_matrices_need_subgroups_of_32() {
        assert!(subgroups_of_32(32, 32).is_ok());
        let e = subgroups_of_32(32, 64).unwrap_err();
        assert!(e.to_string().contains("the adapter's are 32 to 64"), "{e}");
    }
}
