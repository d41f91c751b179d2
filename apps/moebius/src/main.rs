//! `moebius inpaint`: fills the painted part of a picture with the Moebius graphs compiled by
//! onnx2wgsl. `moebius graphs` writes the pipeline's two small graphs as bundles (for the web page).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use moebius::bundles::{open, read_plan};
use moebius::fit::{mask_for_picture, mask_from_rgba};
use moebius::resample::Plane;
use moebius::{graphs, inpaint, Models, Picture, Settings, Sizes, Stage};
use onnx2wgsl_runtime::request_device_for;

#[derive(Parser)]
#[command(
    name = "moebius",
    version,
    about = "Moebius image inpainting on onnx2wgsl plans"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fill the painted part of a picture.
    Inpaint {
        /// Folder with the bundles `unet`, `vae_encoder` and `vae_decoder` (onnx2wgsl build).
        #[arg(long)]
        models: PathBuf,
        /// The picture (PNG or JPEG).
        #[arg(long)]
        image: PathBuf,
        /// The mask: white (or light) where the picture is to be filled in, on black or transparent.
        #[arg(long)]
        mask: PathBuf,
        /// The PNG to write, at the picture's own size.
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long, default_value_t = 20)]
        steps: usize,
        #[arg(long, default_value_t = 2.0)]
        guidance: f32,
        #[arg(long, default_value_t = 0)]
        seed: u32,
        /// Keep the generated pixels everywhere instead of blending them into the picture.
        #[arg(long)]
        no_paste: bool,
        /// Inpaint this many times (models loaded once) and print the median time from reading
        /// the picture to writing the PNG.
        #[arg(long, default_value_t = 1)]
        repeat: usize,
    },
    /// Write the pipeline's own graphs (`prepare`, `step`) as bundles beside the three models.
    Graphs {
        #[arg(long)]
        models: PathBuf,
    },
}

type Failure = Box<dyn std::error::Error>;

fn sizes(models: &Path) -> Result<Sizes, Failure> {
    let plan = |name: &str| read_plan(&models.join(name));
    Ok(Sizes::of(
        &plan("vae_encoder")?,
        &plan("unet")?,
        &plan("vae_decoder")?,
    )?)
}

fn read_picture(path: &Path) -> Result<image::DynamicImage, Failure> {
    image::open(path).map_err(|e| format!("cannot read the picture {}: {e}", path.display()).into())
}

/// The picture and its mask, at the picture's size.
fn read_inputs(image: &Path, mask: &Path) -> Result<(Picture, Plane), Failure> {
    let picture = read_picture(image)?.to_rgb8();
    let picture = Picture {
        width: picture.width() as usize,
        height: picture.height() as usize,
        rgb: picture.into_raw(),
    };
    let mask_image = image::open(mask)
        .map_err(|e| format!("cannot read the mask {}: {e}", mask.display()))?
        .to_rgba8();
    let (mw, mh) = (mask_image.width() as usize, mask_image.height() as usize);
    let mask = mask_from_rgba(mask_image.as_raw(), mw, mh);
    let mask = mask_for_picture(mask, picture.width, picture.height)?;
    Ok((picture, mask))
}

fn save(picture: &Picture, path: &Path) -> Result<(), Failure> {
    let (width, height) = (picture.width as u32, picture.height as u32);
    image::RgbImage::from_raw(width, height, picture.rgb.clone())
        .ok_or("the result has the wrong size")?
        .save(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()).into())
}

fn run_inpaint(command: Command) -> Result<(), Failure> {
    let Command::Inpaint {
        models,
        image,
        mask,
        output,
        steps,
        guidance,
        seed,
        no_paste,
        repeat,
    } = command
    else {
        unreachable!("called for inpaint only")
    };
    let started = Instant::now();
    let sizes = sizes(&models)?;
    // Read here so that a bad picture or mask fails before any model loads.
    let (picture, mask_plane) = read_inputs(&image, &mask)?;

    // The pipeline's own graphs are compiled here, for these sizes (milliseconds).
    let scratch = tempfile::tempdir()?;
    graphs::build(&sizes, scratch.path())?;
    let dirs = [
        models.join("vae_encoder"),
        models.join("unet"),
        models.join("vae_decoder"),
        scratch.path().join("prepare"),
        scratch.path().join("step"),
    ];
    let plans = dirs
        .iter()
        .map(|d| read_plan(d))
        .collect::<Result<Vec<_>, _>>()?;
    let gpu = pollster::block_on(request_device_for(&plans.iter().collect::<Vec<_>>()))?;
    eprintln!(
        "adapter: {} ({:?}, {:?})",
        gpu.info.name, gpu.info.device_type, gpu.info.backend
    );

    let total: u64 = plans.iter().flat_map(|p| &p.shards).map(|s| s.size).sum();
    let bar = ProgressBar::new(total).with_style(ProgressStyle::with_template(
        "loading {bar:30} {bytes}/{total_bytes} {msg}",
    )?);
    let mut sessions = Vec::new();
    for (dir, plan) in dirs.iter().zip(plans) {
        bar.set_message(
            dir.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
        );
        sessions.push(pollster::block_on(open(&gpu, dir, plan, &mut |n| {
            bar.inc(n)
        }))?);
    }
    bar.finish_and_clear();
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let sessions = sessions.try_into().map_err(|_| "five sessions")?;
    let models = Models::new(gpu, sessions, sizes);

    let settings = Settings {
        steps,
        guidance,
        seed,
        paste: !no_paste,
    };
    let clock = Instant::now();
    let now = || clock.elapsed().as_secs_f64() * 1e3;
    // Earlier repetitions run quietly; the last one shows its progress.
    let mut wall = Vec::new();
    for _ in 1..repeat {
        let start = now();
        let (picture, mask) = read_inputs(&image, &mask)?;
        let mut quiet = |_| {};
        let run = inpaint(&models, &picture, &mask, &settings, &now, &mut quiet);
        save(&pollster::block_on(run)?.0, &output)?;
        wall.push(now() - start);
    }
    let bar =
        ProgressBar::new(1).with_style(ProgressStyle::with_template("{msg} {bar:30} {pos}/{len}")?);
    let mut progress = |stage: Stage| match stage {
        Stage::Encoding => bar.set_message("encoding"),
        Stage::Denoising { step, steps } => {
            bar.set_length(steps as u64);
            bar.set_position(step as u64 - 1);
            bar.set_message("denoising");
        }
        Stage::Decoding => {
            bar.set_position(bar.length().unwrap_or(0));
            bar.set_message("decoding");
        }
    };
    let start = now();
    let (picture, mask) = if repeat > 1 {
        read_inputs(&image, &mask)?
    } else {
        (picture, mask_plane)
    };
    let run = inpaint(&models, &picture, &mask, &settings, &now, &mut progress);
    let (out, report) = pollster::block_on(run)?;
    bar.finish_and_clear();
    save(&out, &output)?;
    let inpaint_ms = now() - start;
    wall.push(inpaint_ms);

    let steps = &report.step_ms;
    let mut sorted = steps.clone();
    sorted.sort_by(f64::total_cmp);
    println!("wrote {} ({}×{})", output.display(), out.width, out.height);
    println!(
        "load {load_ms:.0} ms · last inpaint: encode {:.0} ms · {} steps {:.0} ms (median {:.1} ms per step) · decode {:.0} ms · inpaint {inpaint_ms:.0} ms",
        report.encode_ms,
        steps.len(),
        steps.iter().sum::<f64>(),
        sorted.get(sorted.len() / 2).copied().unwrap_or(0.0),
        report.decode_ms,
    );
    println!(
        "per step: {}",
        steps
            .iter()
            .map(|t| format!("{t:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    if repeat > 1 {
        wall.sort_by(f64::total_cmp);
        println!(
            "{repeat} inpaints, PNG in to PNG out: median {:.1} ms, fastest {:.1} ms",
            wall[wall.len() / 2],
            wall[0]
        );
    }
    println!(
        "host → device: {} bytes before the steps, {} bytes per step; device → host: {} bytes per step, {} bytes for the image",
        report.upload_bytes, report.step_upload_bytes, 0, report.download_bytes
    );
    Ok(())
}

fn main() -> ExitCode {
    onnx2wgsl::execute::set_runtime_dir();
    let cli = Cli::parse();
    let result = match cli.command {
        command @ Command::Inpaint { .. } => run_inpaint(command),
        Command::Graphs { models } => sizes(&models).and_then(|s| {
            graphs::build(&s, &models)?;
            println!("wrote {0}/prepare and {0}/step", models.display());
            Ok(())
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
