//! Reading plan bundles from folders for the native command, all onto one device.

use std::path::{Path, PathBuf};

use onnx2wgsl_runtime::plan::PLAN_FILE;
use onnx2wgsl_runtime::{Gpu, Plan, Session};

/// A failure that names the file.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Runtime {
        path: PathBuf,
        source: onnx2wgsl_runtime::Error,
    },
}

pub fn read_plan(dir: &Path) -> Result<Plan, BundleError> {
    let path = dir.join(PLAN_FILE);
    let bytes = std::fs::read(&path).map_err(|source| BundleError::Read {
        path: path.clone(),
        source,
    })?;
    let plan = Plan::from_json(&bytes).map_err(|source| BundleError::Runtime {
        path: path.clone(),
        source,
    })?;
    // File names are checked before any is read.
    plan.validate()
        .map_err(|source| BundleError::Runtime { path, source })?;
    Ok(plan)
}

/// Creates the session of the bundle in `dir` and uploads its weights; `on_bytes` hears of each
/// shard's size once it is on the device.
pub async fn open(
    gpu: &Gpu,
    dir: &Path,
    plan: Plan,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<Session, BundleError> {
    let runtime = |source| BundleError::Runtime {
        path: dir.to_owned(),
        source,
    };
    let source = |file: &str| std::fs::read_to_string(dir.join(file)).ok();
    let mut session = Session::new(gpu, plan, source).await.map_err(runtime)?;
    for (index, shard) in (0u32..).zip(session.plan().shards.clone()) {
        let path = dir.join(&shard.file);
        let bytes = std::fs::read(&path).map_err(|source| BundleError::Read { path, source })?;
        session.load_shard(index, &bytes).await.map_err(runtime)?;
        on_bytes(shard.size);
    }
    Ok(session)
}
