//! Every file of `fixtures/malformed/` gives the error `fixtures/malformed/expected.txt` lists for
//! it, through the library calls behind the command that reads it (`build`, `inspect`, `run`).

use std::path::Path;

use onnx2wgsl::execute::{read_input, read_plan};
use onnx2wgsl::{compile, inspect, Options};
use onnx2wgsl_tests::fixtures;

/// The error `onnx2wgsl build FILE` prints.
fn build(file: &Path) -> String {
    match compile(file, &Options::default()) {
        Ok(_) => panic!("{} built but must fail", file.display()),
        Err(e) => e.to_string(),
    }
}

/// The error `onnx2wgsl inspect DIR` prints with FILE as DIR/plan.json.
fn inspect(file: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(file, dir.path().join("plan.json")).unwrap();
    match inspect::bundle(dir.path()) {
        Ok(_) => panic!("{} passed inspect but must fail", file.display()),
        Err(e) => e.to_string(),
    }
}

/// The error `onnx2wgsl run BUNDLE --input x=FILE` prints when it reads the input (what comes
/// before, loading the bundle onto a device, is not needed to read it).
fn run(bundle: &Path, file: &Path) -> String {
    let plan = read_plan(bundle).expect("the tiny_cnn bundle is valid");
    match read_input(&plan, "x", file) {
        Ok(_) => panic!("{} was read as an input but must fail", file.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn malformed_inputs_give_the_expected_errors() {
    let dir = fixtures().join("malformed");
    let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
    let tiny_cnn = tempfile::tempdir().unwrap();
    compile(&fixtures().join("tiny_cnn/model.onnx"), &Options::default())
        .unwrap()
        .write(tiny_cnn.path())
        .unwrap();
    let mut listed = Vec::new();
    let mut failures = Vec::new();
    for line in expected.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (file, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let (kind, fragment) = (rest.trim_start())
            .split_once(char::is_whitespace)
            .unwrap_or((rest, ""));
        let fragment = fragment.trim();
        assert!(!fragment.is_empty(), "expected.txt: no message in {line:?}");
        let path = dir.join(file);
        assert!(
            path.is_file(),
            "expected.txt lists {file}, which does not exist"
        );
        let message = match kind {
            "build" => build(&path),
            "inspect" => inspect(&path),
            "run" => run(tiny_cnn.path(), &path),
            _ => panic!("expected.txt: unknown command kind {kind:?} in {line:?}"),
        };
        println!("{file} ({kind}): {message}");
        if !message.contains(fragment) {
            failures.push(format!(
                "{file} ({kind}): expected {fragment:?} in {message:?}"
            ));
        }
        listed.push(file.to_string());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every input file in the folder is listed (the generator and this list stay in step).
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let input = [".onnx", ".json", ".npy"].iter().any(|e| name.ends_with(e));
        assert!(
            !input || listed.contains(&name),
            "fixtures/malformed/{name} is not in expected.txt"
        );
    }
}
