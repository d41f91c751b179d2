//! Generates the prost types from the vendored `onnx.proto` (with protox, so no system `protoc` is
//! needed) and embeds every WGSL template under `templates/` into the binary.

use std::error::Error;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=proto/onnx.proto");
    let descriptors = protox::compile(["onnx.proto"], ["proto"])?;
    let mut config = prost_build::Config::new();
    // `bytes` fields become `bytes::Bytes`, so decoding from a memory map slices it instead of copying.
    config.bytes(["."]);
    config.compile_fds(descriptors)?;

    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../templates");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files)?;
    files.sort();
    let mut out = String::from(
        "/// Every template under `templates/`, by its path relative to that folder.\n",
    );
    out.push_str("pub const TEMPLATES: &[(&str, &str)] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file
            .strip_prefix(&root)?
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            file.canonicalize()?
        )?;
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR")?).join("templates.rs");
    std::fs::write(dest, out)?;
    Ok(())
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "wgsl") {
            files.push(path);
        }
    }
    Ok(())
}
