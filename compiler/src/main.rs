//! The `onnx2wgsl` command line: build, run and inspect plan bundles.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use onnx2wgsl::execute::{self, RunError};
use onnx2wgsl::finite;
use onnx2wgsl::target::{Precision, Target};
use onnx2wgsl::{bind_dims, compile_with_report, inspect, Options};

#[derive(Parser)]
#[command(
    name = "onnx2wgsl",
    version,
    about = "Compile ONNX models to WGSL plan bundles and run them with wgpu"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile an ONNX model into a plan bundle directory.
    Build {
        /// The .onnx file (external data files are read from its folder).
        model: PathBuf,
        /// Bundle directory to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Bind a symbolic dimension, e.g. `--dim B=2` (repeatable).
        #[arg(long = "dim", value_name = "NAME=VALUE", value_parser = parse_dim)]
        dims: Vec<(String, usize)>,
        /// Device limits to compile for.
        #[arg(long, value_enum, default_value_t = TargetName::Webgpu)]
        target: TargetName,
        /// How weights and activations are stored on the device. f16 plans need the
        /// `shader-f16` feature and compute in f32; their inputs and outputs stay f32.
        #[arg(long, value_enum, default_value_t = PrecisionName::F32)]
        precision: PrecisionName,
        /// Run convolutions on cooperative matrices (tensor cores), through wgpu's experimental
        /// feature: needs `--target native --precision f16`, and an adapter with 16×16×16 f16
        /// matrices and subgroups of 32 (NVIDIA's, through Vulkan).
        #[arg(long)]
        cooperative_matrix: bool,
        /// Print what each pass did, dispatches by kernel, memory and weights.
        #[arg(long)]
        report: bool,
    },
    /// Run a plan bundle on the default GPU adapter.
    Run {
        /// The bundle directory.
        plan: PathBuf,
        /// An input as NAME=FILE.npy (repeatable).
        #[arg(long = "input", value_name = "NAME=FILE", value_parser = parse_input)]
        inputs: Vec<(String, PathBuf)>,
        /// Where to write <output name>.npy files.
        #[arg(long, default_value = "out")]
        output_dir: PathBuf,
        /// Run this many times and print the median and fastest wall time of one run (inputs
        /// in, outputs read back), after a first run that is not counted.
        #[arg(long, default_value_t = 1)]
        repeat: usize,
        /// Also time every dispatch on the GPU (timestamp queries), print where the time goes, and
        /// write every dispatch's time to <output-dir>/profile.tsv.
        #[arg(long)]
        profile: bool,
        /// Also run once more a dispatch at a time, reading back every float each one stores, and
        /// fail where one is infinite or NaN (for f16 plans, whose storage overflows at ±65,504).
        #[arg(long)]
        check_finite: bool,
    },
    /// Print what a plan bundle holds.
    Inspect {
        /// The bundle directory.
        plan: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum TargetName {
    /// WebGPU's default limits: runs in any browser.
    Webgpu,
    /// Larger bindings and buffers for native Vulkan, Metal and DX12 devices.
    Native,
}

#[derive(Clone, Copy, ValueEnum)]
enum PrecisionName {
    F32,
    F16,
}

fn parse_dim(arg: &str) -> Result<(String, usize), String> {
    let (name, value) = arg.split_once('=').ok_or("expected NAME=VALUE")?;
    let value = value
        .parse()
        .map_err(|_| format!("{value:?} is not a non-negative integer"))?;
    Ok((name.to_string(), value))
}

fn parse_input(arg: &str) -> Result<(String, PathBuf), String> {
    let (name, path) = arg.split_once('=').ok_or("expected NAME=FILE")?;
    Ok((name.to_string(), PathBuf::from(path)))
}

fn main() -> ExitCode {
    execute::set_runtime_dir();
    match Cli::parse().command.execute() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

impl Command {
    fn execute(self) -> Result<(), String> {
        match self {
            Command::Build {
                model,
                output,
                dims,
                target,
                precision,
                cooperative_matrix,
                report,
            } => build(
                &model,
                &output,
                dims,
                target,
                precision,
                cooperative_matrix,
                report,
            ),
            Command::Run {
                plan,
                inputs,
                output_dir,
                repeat,
                profile,
                check_finite,
            } => pollster::block_on(run(
                &plan,
                inputs,
                &output_dir,
                repeat,
                profile,
                check_finite,
            ))
            .map_err(|e| e.to_string()),
            Command::Inspect { plan } => {
                print!("{}", inspect::bundle(&plan).map_err(|e| e.to_string())?);
                Ok(())
            }
        }
    }
}

fn build(
    model: &Path,
    output: &Path,
    dims: Vec<(String, usize)>,
    target: TargetName,
    precision: PrecisionName,
    cooperative_matrix: bool,
    report: bool,
) -> Result<(), String> {
    let mut target = match target {
        TargetName::Webgpu => Target::default(),
        TargetName::Native => Target::native(),
    }
    .with_precision(match precision {
        PrecisionName::F32 => Precision::F32,
        PrecisionName::F16 => Precision::F16,
    });
    if cooperative_matrix {
        if target != Target::native().with_precision(Precision::F16) {
            return Err("--cooperative-matrix needs --target native --precision f16".into());
        }
        target = target.with_cooperative_matrix();
    }
    let options = Options {
        dims: bind_dims(dims).map_err(|e| e.to_string())?,
        target,
    };
    let (bundle, summary) = compile_with_report(model, &options).map_err(|e| e.to_string())?;
    bundle.write(output).map_err(|e| e.to_string())?;
    println!(
        "wrote {}: {} dispatches, {} shaders, {} weight shards",
        output.display(),
        bundle.plan.dispatches.len(),
        bundle.plan.shaders.len(),
        bundle.plan.shards.len()
    );
    if report {
        print!("{summary}");
    }
    Ok(())
}

async fn run(
    dir: &Path,
    inputs: Vec<(String, PathBuf)>,
    output_dir: &Path,
    repeat: usize,
    profile: bool,
    check_finite: bool,
) -> Result<(), RunError> {
    let (session, adapter) = execute::load_with_adapter(dir).await?;
    eprintln!(
        "adapter: {} ({:?}, {:?})",
        adapter.name, adapter.device_type, adapter.backend
    );
    let mut tensors = Vec::with_capacity(inputs.len());
    for (name, path) in &inputs {
        tensors.push((
            name.as_str(),
            execute::read_input(session.plan(), name, path)?,
        ));
    }
    let outputs = session.run(&tensors).await?;
    if repeat > 1 {
        let mut times = Vec::with_capacity(repeat);
        for _ in 0..repeat {
            let start = std::time::Instant::now();
            session.run(&tensors).await?;
            times.push(start.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{repeat} runs: median {:.2} ms, fastest {:.2} ms",
            times[repeat / 2],
            times[0]
        );
    }
    std::fs::create_dir_all(output_dir).map_err(|source| RunError::Write {
        path: output_dir.to_path_buf(),
        source,
    })?;
    if profile {
        let times = session.profile(&tensors).await?;
        print!("{}", inspect::profile(session.plan(), &times));
        let path = output_dir.join("profile.tsv");
        let table = inspect::profile_table(session.plan(), &times);
        std::fs::write(&path, table).map_err(|source| RunError::Write { path, source })?;
    }
    for (name, value) in &outputs {
        let path = execute::write_output(output_dir, name, value)?;
        println!("{name}: {:?} -> {}", value.shape, path.display());
    }
    if check_finite {
        let checked = finite::check(&session, dir, &tensors).await?;
        if let Some((index, label, count)) = checked.first_bad {
            return Err(RunError::NotFinite(format!(
                "dispatch {index} ({label}) stored {count} infinite or NaN values, the first in this run"
            )));
        }
        for (name, stored) in [("f16", &checked.half), ("f32", &checked.single)] {
            if stored.values == 0 {
                continue;
            }
            let at = (stored.at.as_ref()).map_or(String::new(), |(i, label)| {
                format!(" (dispatch {i}, {label})")
            });
            println!(
                "{} values stored as {name}, all finite; the largest magnitude {}{at}",
                stored.values, stored.largest
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cooperative_matrices_need_a_native_f16_target() {
        let (model, out) = (Path::new("model.onnx"), Path::new("model.plan"));
        for (target, precision) in [
            (TargetName::Webgpu, PrecisionName::F16),
            (TargetName::Native, PrecisionName::F32),
        ] {
            let refused = build(model, out, vec![], target, precision, true, false);
            assert_eq!(
                refused.unwrap_err(),
                "--cooperative-matrix needs --target native --precision f16"
            );
        }
    }
}
