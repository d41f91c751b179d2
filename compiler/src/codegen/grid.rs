//! Dispatch grids for one-invocation-per-element kernels, kept within the per-dimension workgroup
//! limit by folding the excess into the y dimension (shaders rebuild the linear index).

use onnx2wgsl_runtime::plan::Limits;

use crate::CompileError;

pub fn linear(threads: usize, workgroup: u32, limits: &Limits) -> Result<[u32; 3], CompileError> {
    let groups = (threads as u64).div_ceil(workgroup as u64).max(1);
    let max = limits.max_compute_workgroups_per_dimension as u64;
    if groups <= max {
        return Ok([groups as u32, 1, 1]);
    }
    let rows = groups.div_ceil(max);
    if rows > max {
        return Err(CompileError::Limit(format!(
            "{threads} invocations need more than {max}×{max} workgroups"
        )));
    }
    Ok([max as u32, rows as u32, 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_grids_stay_one_dimensional() {
        let limits = Limits::WEBGPU_DEFAULT;
        assert_eq!(linear(1, 256, &limits).unwrap(), [1, 1, 1]);
        assert_eq!(linear(256 * 65_535, 256, &limits).unwrap(), [65_535, 1, 1]);
    }

    #[test]
    fn large_grids_fold_into_y() {
        let limits = Limits::WEBGPU_DEFAULT;
        let [x, y, _] = linear(256 * 65_536, 256, &limits).unwrap();
        assert_eq!((x, y), (65_535, 2));
        assert!(x as u64 * y as u64 * 256 >= 256 * 65_536);
    }
}
