//! Replays every seed and every saved crash of the fuzz targets (`fuzz/seeds/<target>/`,
//! `fuzz/regressions/<target>/`) through the functions the targets call, on the stable toolchain:
//! a fixed crash stays fixed. Each input may be refused with an error; none may panic.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

// The fuzz crate needs nightly and is not a workspace member, so its entry functions are included
// as a module rather than depended on.
#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_entry;

fn replay(target: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let scratch = tempfile::tempdir().unwrap();
    let mut count = 0;
    let mut panics = Vec::new();
    for folder in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files.into_iter().filter(|f| f.is_file()) {
            let bytes = std::fs::read(&file).unwrap();
            count += 1;
            let run = || fuzz_entry::run(target, &bytes, scratch.path());
            if catch_unwind(AssertUnwindSafe(run)).is_err() {
                panics.push(file.display().to_string());
            }
        }
    }
    println!("{target}: {count} inputs replayed");
    assert!(count > 0, "no seeds for {target}");
    assert!(
        panics.is_empty(),
        "{target} panicked on:\n{}",
        panics.join("\n")
    );
}

#[test]
fn decode_build_seeds_and_regressions_do_not_panic() {
    replay("decode_build");
}

#[test]
fn plan_seeds_and_regressions_do_not_panic() {
    replay("plan");
}

#[test]
fn npy_seeds_and_regressions_do_not_panic() {
    replay("npy");
}
