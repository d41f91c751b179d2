//! Native host: runs a bundle directory with the runtime, reading and writing `.npy` files.

use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use ndarray::ArrayD;
use ndarray_npy::{ReadNpyExt, WriteNpyExt};
use onnx2wgsl_runtime::plan::{DType, PLAN_FILE};
use onnx2wgsl_runtime::{request_device, HostTensor, Plan, Session, TensorData};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RunError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Npy { path: PathBuf, reason: String },
    #[error("{0}")]
    Usage(String),
    #[error("shader {path} is not valid WGSL: {reason}")]
    Shader { path: PathBuf, reason: String },
    #[error("{0}")]
    NotFinite(String),
    #[error(transparent)]
    Runtime(#[from] onnx2wgsl_runtime::Error),
}

fn read(path: &Path) -> Result<Vec<u8>, RunError> {
    std::fs::read(path).map_err(|source| RunError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads the plan of the bundle in `dir` and validates it: no other file of the bundle is read
/// before the plan passes (its file names, say, cannot point outside the bundle).
pub fn read_plan(dir: &Path) -> Result<Plan, RunError> {
    let plan = Plan::from_json(&read(&dir.join(PLAN_FILE))?)?;
    plan.validate()?;
    Ok(plan)
}

/// Loads the bundle in `dir` onto the default adapter, weights included.
pub async fn load(dir: &Path) -> Result<Session, RunError> {
    Ok(load_with_adapter(dir).await?.0)
}

/// As [`load`], also naming the adapter the session runs on.
pub async fn load_with_adapter(
    dir: &Path,
) -> Result<(Session, onnx2wgsl_runtime::wgpu::AdapterInfo), RunError> {
    let plan = read_plan(dir)?;
    let gpu = request_device(&plan).await?;
    let mut session = Session::new(&gpu, plan, |file| {
        std::fs::read_to_string(dir.join(file)).ok()
    })
    .await?;
    for index in session.missing_shards() {
        let file = session.plan().shards[index as usize].file.clone();
        session.load_shard(index, &read(&dir.join(file))?).await?;
    }
    Ok((session, gpu.info))
}

/// Mesa's Vulkan drivers print "XDG_RUNTIME_DIR is invalid or not set" while probing window
/// systems, which compute never uses. Where it is unset, it is pointed at a private temporary
/// folder, so that a successful run leaves stderr clean. Call first thing in `main`, before any
/// thread exists.
pub fn set_runtime_dir() {
    if std::env::var_os("XDG_RUNTIME_DIR").is_some() {
        return;
    }
    let dir = std::env::temp_dir().join("onnx2wgsl-runtime-dir");
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    if builder.create(&dir).is_ok() || dir.is_dir() {
        std::env::set_var("XDG_RUNTIME_DIR", dir);
    }
}

/// Reads one `.npy` input in the dtype the plan expects for it.
pub fn read_input(plan: &Plan, name: &str, path: &Path) -> Result<HostTensor, RunError> {
    let io = plan.inputs.iter().find(|i| i.name == name).ok_or_else(|| {
        let names: Vec<&str> = plan.inputs.iter().map(|i| i.name.as_str()).collect();
        RunError::Usage(format!(
            "the plan has no input {name:?} (its inputs: {})",
            names.join(", ")
        ))
    })?;
    read_npy(path, io.dtype).map_err(|e| match e {
        RunError::Npy { path, reason } => RunError::Npy {
            path,
            reason: format!("input {name:?}: {reason}"),
        },
        other => other,
    })
}

/// Reads a `.npy` file holding an array of `dtype`.
pub fn read_npy(path: &Path, dtype: DType) -> Result<HostTensor, RunError> {
    let io = |source| RunError::Io {
        path: path.into(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    crate::npy_size::check(&mut file, len).map_err(|reason| RunError::Npy {
        path: path.into(),
        reason,
    })?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let npy = |e: ndarray_npy::ReadNpyError| RunError::Npy {
        path: path.into(),
        reason: format!("expected a {dtype:?} array: {e}"),
    };
    Ok(match dtype {
        DType::F32 => tensor(ArrayD::<f32>::read_npy(file).map_err(npy)?, TensorData::F32),
        DType::I32 => tensor(ArrayD::<i32>::read_npy(file).map_err(npy)?, TensorData::I32),
        DType::I64 => tensor(ArrayD::<i64>::read_npy(file).map_err(npy)?, TensorData::I64),
        DType::Bool => tensor(
            ArrayD::<bool>::read_npy(file).map_err(npy)?,
            TensorData::Bool,
        ),
    })
}

fn tensor<T: Clone>(array: ArrayD<T>, wrap: fn(Vec<T>) -> TensorData) -> HostTensor {
    let shape = array.shape().to_vec();
    let data = array.as_standard_layout().iter().cloned().collect();
    HostTensor {
        shape,
        data: wrap(data),
    }
}

/// Writes an output as `<dir>/<name>.npy` (path separators in the name become `_`).
pub fn write_output(dir: &Path, name: &str, value: &HostTensor) -> Result<PathBuf, RunError> {
    let path = dir.join(format!("{}.npy", name.replace(['/', '\\'], "_")));
    let file = std::fs::File::create(&path).map_err(|source| RunError::Write {
        path: path.clone(),
        source,
    })?;
    let shape = value.shape.clone();
    let npy = |e: ndarray_npy::WriteNpyError| RunError::Npy {
        path: path.clone(),
        reason: e.to_string(),
    };
    let bad_shape = |e: ndarray::ShapeError| RunError::Npy {
        path: path.clone(),
        reason: e.to_string(),
    };
    match &value.data {
        TensorData::F32(v) => ArrayD::from_shape_vec(shape, v.clone())
            .map_err(bad_shape)?
            .write_npy(file),
        TensorData::I32(v) => ArrayD::from_shape_vec(shape, v.clone())
            .map_err(bad_shape)?
            .write_npy(file),
        TensorData::I64(v) => ArrayD::from_shape_vec(shape, v.clone())
            .map_err(bad_shape)?
            .write_npy(file),
        TensorData::Bool(v) => ArrayD::from_shape_vec(shape, v.clone())
            .map_err(bad_shape)?
            .write_npy(file),
    }
    .map_err(npy)?;
    Ok(path)
}
