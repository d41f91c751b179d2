//! `moebius inpaint` on the tiny Moebius graphs (random weights) against the Python reference
//! pipeline's images (fixtures/moebius_pipeline/expected, made by make_expected.sh), and its
//! errors. Runs on the default adapter: lavapipe in CI.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use onnx2wgsl::{compile, Options};

/// Per pixel and channel, out of 255.
const TOLERANCE: i32 = 2;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The three tiny bundles, built into a temporary folder.
fn models() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let graphs = [
        ("unet", fixtures().join("moebius_tiny/unet"), 2),
        (
            "vae_encoder",
            fixtures().join("moebius_pipeline/tiny/vae_encoder"),
            1,
        ),
        (
            "vae_decoder",
            fixtures().join("moebius_pipeline/tiny/vae_decoder"),
            1,
        ),
    ];
    for (name, source, batch) in graphs {
        let options = Options {
            dims: HashMap::from([("B".to_owned(), batch)]),
            ..Options::default()
        };
        let bundle = compile(&source.join("model.onnx"), &options).unwrap();
        bundle.write(&dir.path().join(name)).unwrap();
    }
    dir
}

fn moebius(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_moebius"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn sample(name: &str) -> String {
    fixtures()
        .join("moebius_pipeline/samples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn square_and_wide_pictures_match_the_reference_pipeline() {
    let models = models();
    let models = models.path().to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    for picture in ["square", "wide"] {
        for paste in [true, false] {
            let name = format!("{picture}{}", if paste { "" } else { "_no_paste" });
            let output = out.path().join(format!("{name}.png"));
            let (image, mask) = (
                sample(&format!("{picture}.png")),
                sample(&format!("{picture}_mask.png")),
            );
            let mut args = vec![
                "inpaint", "--models", models, "--image", &image, "--mask", &mask,
            ];
            args.extend(["-o", output.to_str().unwrap()]);
            if !paste {
                args.push("--no-paste");
            }
            let (ok, text) = moebius(&args);
            assert!(ok, "{name}: {text}");
            assert!(text.contains("20 bytes per step"), "{text}");
            let got = image::open(&output).unwrap().to_rgb8();
            let want =
                image::open(fixtures().join(format!("moebius_pipeline/expected/{name}.png")))
                    .unwrap()
                    .to_rgb8();
            assert_eq!(got.dimensions(), want.dimensions(), "{name}: size");
            let worst = (got.as_raw().iter().zip(want.as_raw()))
                .map(|(&a, &b)| (i32::from(a) - i32::from(b)).abs())
                .max()
                .unwrap();
            println!("{name}: max |Δ| = {worst}/255 against the reference pipeline");
            assert!(
                worst <= TOLERANCE,
                "{name}: {worst}/255 exceeds {TOLERANCE}/255"
            );
        }
    }
}

#[test]
fn bad_inputs_are_named() {
    let models = models();
    let dir = models.path().to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("out.png");
    let output = output.to_str().unwrap();
    let (square, square_mask) = (sample("square.png"), sample("square_mask.png"));
    let wide_mask = sample("wide_mask.png");
    let not_a_picture = sample("../README.md");
    let cases: [(Vec<&str>, &str); 4] = [
        (
            vec![
                "--models",
                "/nonexistent-models",
                "--image",
                &square,
                "--mask",
                &square_mask,
            ],
            "cannot read /nonexistent-models/vae_encoder/plan.json",
        ),
        (
            vec![
                "--models",
                dir,
                "--image",
                &not_a_picture,
                "--mask",
                &square_mask,
            ],
            "cannot read the picture",
        ),
        (
            vec!["--models", dir, "--image", &square, "--mask", &wide_mask],
            "the mask is 120×80, the picture 96×96: their aspect ratios differ",
        ),
        (
            vec![
                "--models",
                dir,
                "--image",
                &square,
                "--mask",
                &square_mask,
                "--steps",
                "0",
            ],
            "steps must be 1 to 1000, not 0",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["inpaint"];
        all.extend(args);
        all.extend(["-o", output]);
        let (ok, text) = moebius(&all);
        assert!(
            !ok && text.contains(expected),
            "expected `{expected}`, got: {text}"
        );
    }
    // A bundle of another model where the UNet should be.
    let unet = models.path().join("unet");
    std::fs::remove_dir_all(&unet).unwrap();
    let other = compile(&fixtures().join("tiny_cnn/model.onnx"), &Options::default()).unwrap();
    other.write(&unet).unwrap();
    let (ok, text) = moebius(&[
        "inpaint",
        "--models",
        dir,
        "--image",
        &square,
        "--mask",
        &square_mask,
        "-o",
        output,
    ]);
    assert!(
        !ok && text.contains("bundle `unet` does not fit the pipeline: it has no `latent`"),
        "{text}"
    );
}
