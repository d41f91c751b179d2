//! Finding the node tests and reading what each model uses.

use std::path::{Path, PathBuf};

use onnx2wgsl_opset18::Op;
use onnx_protobuf::{Message, ModelProto};

/// The node-test directory: `explicit` (`--data`), else `$ONNX_NODE_TESTS`, else the one that
/// `scripts/fetch_node_tests.sh` extracts under the workspace's `target/`.
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match explicit {
        Some(dir) => dir.to_path_buf(),
        None => match std::env::var_os("ONNX_NODE_TESTS") {
            Some(dir) => PathBuf::from(dir),
            None => (Path::new(env!("CARGO_MANIFEST_DIR")).parent())
                .expect("the tests crate lies inside the workspace")
                .join("target/onnx-node-tests/onnx/backend/test/data/node"),
        },
    };
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(format!(
            "ONNX node tests not found at {}: run scripts/setup.sh (it fetches the pinned onnx \
             release's node tests), or pass --data DIR / set ONNX_NODE_TESTS",
            dir.display()
        ))
    }
}

/// The onnx release whose node tests `dir` holds, from the `onnx/version.py` beside them.
pub fn onnx_version(dir: &Path) -> String {
    let file = dir.join("../../../../version.py");
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .find_map(|line| line.strip_prefix("version = "))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The `test_*` directories holding a model, sorted.
pub fn test_names(dir: &Path) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("model.onnx").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("test_"))
        .collect();
    names.sort();
    Ok(names)
}

/// One node test: its model and what the runner needs to know about it.
pub struct Case {
    pub dir: PathBuf,
    pub model: ModelProto,
    /// Distinct operator types, sorted.
    pub ops: Vec<String>,
    /// The `ai.onnx` opset the model imports.
    pub opset: Option<i64>,
    /// Graph inputs (initializers excluded), in the order of the `input_K.pb` files.
    pub inputs: Vec<String>,
    /// Graph outputs, in the order of the `output_K.pb` files.
    pub outputs: Vec<String>,
}

impl Case {
    pub fn load(dir: &Path) -> Result<Case, String> {
        let path = dir.join("model.onnx");
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let model = ModelProto::parse_from_bytes(&bytes)
            .map_err(|e| format!("model.onnx does not decode: {e}"))?;
        let graph = model.graph.get_or_default();
        let mut ops: Vec<String> = graph.node.iter().map(|n| n.op_type.clone()).collect();
        ops.sort();
        ops.dedup();
        let opset = (model.opset_import.iter())
            .filter(|o| default_domain(&o.domain))
            .map(|o| o.version)
            .max();
        let inputs = (graph.input.iter())
            .map(|i| i.name.clone())
            .filter(|name| !graph.initializer.iter().any(|t| &t.name == name))
            .collect();
        let outputs = graph.output.iter().map(|o| o.name.clone()).collect();
        Ok(Case {
            dir: dir.to_path_buf(),
            ops,
            opset,
            inputs,
            outputs,
            model,
        })
    }

    /// Whether every node is an `ai.onnx` operator that the compiler implements.
    pub fn claimed(&self) -> bool {
        let graph = self.model.graph.get_or_default();
        (graph.node.iter()).all(|n| default_domain(&n.domain) && Op::is_known(&n.op_type))
    }

    /// The `test_data_set_*` directories, sorted.
    pub fn data_sets(&self) -> Result<Vec<PathBuf>, String> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| e.to_string())?;
        let mut sets: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("test_data_set_")
            })
            .map(|e| e.path())
            .collect();
        sets.sort();
        Ok(sets)
    }
}

fn default_domain(domain: &str) -> bool {
    domain.is_empty() || domain == "ai.onnx"
}
