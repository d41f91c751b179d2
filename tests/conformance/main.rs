//! Runs the ONNX backend node tests whose operators the compiler claims and prints (or writes) the
//! conformance table: `conformance [--data DIR] [--write PATH]`.

use std::path::PathBuf;
use std::process::ExitCode;

use onnx2wgsl_tests::conformance::{self, Outcome};

fn main() -> ExitCode {
    let mut data = None;
    let mut write = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--data", Some(dir)) => data = Some(PathBuf::from(dir)),
            ("--write", Some(path)) => write = Some(PathBuf::from(path)),
            _ => {
                eprintln!("usage: conformance [--data DIR] [--write PATH]");
                return ExitCode::from(2);
            }
        }
    }
    let report = conformance::data_dir(data.as_deref()).and_then(|dir| conformance::run(&dir));
    let report = match report {
        Ok(report) => report,
        Err(message) => {
            eprintln!("conformance: {message}");
            return ExitCode::FAILURE;
        }
    };
    let table = conformance::markdown(&report);
    match write {
        Some(path) => {
            if let Err(e) = std::fs::write(&path, &table) {
                eprintln!("conformance: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            let failed = (report.results.iter())
                .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
                .count();
            eprintln!("wrote {} ({failed} failed)", path.display());
        }
        None => print!("{table}"),
    }
    ExitCode::SUCCESS
}
