//! The ONNX backend node tests of every claimed operator pass, and `tests/conformance.md` is the
//! table this code produces.

use std::path::Path;

use onnx2wgsl_tests::conformance::{self, Outcome, WRITE_COMMAND};

#[test]
fn node_tests_pass_and_the_table_is_current() {
    let dir = conformance::data_dir(None).unwrap_or_else(|e| panic!("{e}"));
    let report = conformance::run(&dir).unwrap_or_else(|e| panic!("{e}"));
    let table = conformance::markdown(&report);

    let failed: Vec<String> = (report.results.iter())
        .filter_map(|r| match &r.outcome {
            Outcome::Failed(reason) => Some(format!("{}: {reason}", r.name)),
            _ => None,
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} node tests failed:\n{}",
        failed.len(),
        failed.join("\n")
    );

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != table {
        let first = (committed.lines().zip(table.lines()))
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(table.lines().count()));
        panic!(
            "tests/conformance.md is not what the runner produces (first difference at line {}: \
             {:?}); run `{WRITE_COMMAND}`",
            first + 1,
            table
                .lines()
                .nth(first)
                .unwrap_or("(end of the generated table)")
        );
    }
}
