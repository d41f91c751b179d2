//! One inpaint: fit, encode the masked picture, denoise with guidance, decode, put back. Latents
//! stay on the GPU from the first upload to the decoded image: each step uploads its timestep
//! and its three coefficients (20 bytes) and reads nothing back.

use onnx2wgsl_runtime::{DeviceTensor, Gpu, HostTensor, Input, Session};

use crate::fit::{fit, Rect};
use crate::noise::initial_latents;
use crate::resample::{bilinear, gaussian_blur, nearest, round_pixel, Plane};
use crate::schedule::ddim;
use crate::sizes::Sizes;
use crate::Error;

/// The sessions of one Moebius build on one device. `prepare` and `step` are the small graphs of
/// [`crate::graphs`] (assembling the UNet's input; guidance and the DDIM update).
pub struct Models {
    pub gpu: Gpu,
    pub encoder: Session,
    pub unet: Session,
    pub decoder: Session,
    pub prepare: Session,
    pub step: Session,
    pub sizes: Sizes,
}

/// The bundles of one build, in the order [`Models::new`] takes their sessions.
pub const BUNDLES: [&str; 5] = ["vae_encoder", "unet", "vae_decoder", "prepare", "step"];

impl Models {
    /// The sessions of [`BUNDLES`], in that order, on `gpu`.
    pub fn new(gpu: Gpu, sessions: [Session; 5], sizes: Sizes) -> Models {
        let [encoder, unet, decoder, prepare, step] = sessions;
        Models {
            gpu,
            encoder,
            unet,
            decoder,
            prepare,
            step,
            sizes,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    pub steps: usize,
    pub guidance: f32,
    pub seed: u32,
    pub paste: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            steps: 20,
            guidance: 2.0,
            seed: 0,
            paste: true,
        }
    }
}

/// An RGB picture, 8 bits per channel, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Picture {
    fn plane(&self) -> Plane {
        Plane {
            height: self.height,
            width: self.width,
            channels: 3,
            data: self.rgb.iter().map(|&v| f64::from(v)).collect(),
        }
    }
}

/// Where an inpaint is, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Encoding,
    Denoising { step: usize, steps: usize },
    Decoding,
}

/// Milliseconds per stage and per step, and the bytes moved between host and device.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub encode_ms: f64,
    pub step_ms: Vec<f64>,
    pub decode_ms: f64,
    /// Host to device, before the steps (picture, mask, noise, token ids).
    pub upload_bytes: u64,
    /// Host to device per step; nothing comes back during the steps.
    pub step_upload_bytes: u64,
    /// Device to host: the decoded image.
    pub download_bytes: u64,
}

fn bytes(tensor: &HostTensor) -> u64 {
    tensor.numel() as u64 * 4
}

/// Inpaints `picture` where `mask` (the picture's size, 1 = fill in) is set. `now` is a clock in
/// milliseconds (hosts differ: `Instant` on native, `performance.now()` in a browser).
pub async fn inpaint(
    models: &Models,
    picture: &Picture,
    mask: &Plane,
    settings: &Settings,
    now: &dyn Fn() -> f64,
    progress: &mut dyn FnMut(Stage),
) -> Result<(Picture, Report), Error> {
    if !(1..=1000).contains(&settings.steps) {
        return Err(Error::Settings(format!(
            "steps must be 1 to 1000, not {}",
            settings.steps
        )));
    }
    let s = models.sizes;
    let (h, w) = (s.latent_height, s.latent_width);
    let rect = fit(s.width, s.height, picture.width, picture.height)?;
    let mut canvas = Plane::new(s.height, s.width, 3);
    canvas.paste(
        &bilinear(&picture.plane(), rect.height, rect.width).rounded(),
        rect.x,
        rect.y,
    );
    let mut canvas_mask = Plane::new(s.height, s.width, 1);
    canvas_mask.paste(&nearest(mask, rect.height, rect.width), rect.x, rect.y);

    let mut report = Report::default();
    let start = now();
    progress(Stage::Encoding);
    let masked_image = masked_image(&canvas, &canvas_mask);
    let mask_latent = HostTensor::f32(
        [1, 1, h, w],
        (0..h * w)
            .map(|i| canvas_mask.at(8 * (i / w), 8 * (i % w), 0) as f32)
            .collect(),
    );
    let noise = HostTensor::f32([1, 4, h, w], initial_latents(settings.seed, 4, h, w));
    let ids_host = HostTensor::i64(
        [2, s.tokens],
        (0..2 * s.tokens)
            .map(|i| ((i + s.tokens) % (2 * s.tokens)) as i64)
            .collect(),
    );
    let moments = first(
        models
            .encoder
            .run_on_device(&[("image", (&masked_image).into())])
            .await?,
    );
    let mut x = DeviceTensor::upload(&models.gpu.device, &models.gpu.queue, "x", &noise).await?;
    let mut prepared = models
        .prepare
        .run_on_device(&[
            ("moments", (&moments).into()),
            ("mask", (&mask_latent).into()),
            ("x", (&x).into()),
        ])
        .await?
        .into_iter()
        .map(|(_, t)| t);
    let (cond, mut latent) = (
        prepared.next().expect("cond"),
        prepared.next().expect("latent"),
    );
    let ids = DeviceTensor::upload(
        &models.gpu.device,
        &models.gpu.queue,
        "input_ids",
        &ids_host,
    )
    .await?;
    report.upload_bytes = [&masked_image, &mask_latent, &noise, &ids_host]
        .map(bytes)
        .iter()
        .sum();
    models.gpu.finish().await?;
    report.encode_ms = now() - start;

    let steps = ddim(settings.steps);
    let mut decoder_latent = None;
    for (k, step) in steps.iter().enumerate() {
        let started = now();
        progress(Stage::Denoising {
            step: k + 1,
            steps: steps.len(),
        });
        let timesteps = HostTensor::i64([2], vec![step.timestep; 2]);
        let coefficients =
            HostTensor::f32([3], vec![settings.guidance, step.a as f32, step.b as f32]);
        report.step_upload_bytes = bytes(&timesteps) + bytes(&coefficients);
        let eps = first(
            models
                .unet
                .run_on_device(&[
                    ("latent", (&latent).into()),
                    ("timesteps", (&timesteps).into()),
                    ("input_ids", Input::Device(&ids)),
                ])
                .await?,
        );
        let mut next = models
            .step
            .run_on_device(&[
                ("noise", (&eps).into()),
                ("x", (&x).into()),
                ("cond", (&cond).into()),
                ("coefficients", (&coefficients).into()),
            ])
            .await?
            .into_iter()
            .map(|(_, t)| t);
        x = next.next().expect("x");
        latent = next.next().expect("latent");
        decoder_latent = next.next();
        models.gpu.finish().await?;
        report.step_ms.push(now() - started);
    }

    let started = now();
    progress(Stage::Decoding);
    let decoder_latent = decoder_latent.expect("at least one step");
    let image = first(
        models
            .decoder
            .run_on_device(&[("latent", (&decoder_latent).into())])
            .await?,
    );
    // Worked out while the decoder runs: the blurred mask does not depend on its result.
    let weights = settings
        .paste
        .then(|| paste_weights(&canvas_mask, rect, picture));
    let image = image.read().await?;
    report.download_bytes = bytes(&image);
    let decoded = pixels(&image, s.height, s.width);
    let out = back_to_picture(&decoded, weights.as_ref(), rect, picture);
    report.decode_ms = now() - started;
    Ok((out, report))
}

fn first(outputs: Vec<(String, DeviceTensor)>) -> DeviceTensor {
    outputs.into_iter().next().expect("a plan has outputs").1
}

/// (1, 3, H, W): pixel/255·2 − 1, zero where the mask is set.
fn masked_image(canvas: &Plane, mask: &Plane) -> HostTensor {
    let (height, width) = (canvas.height, canvas.width);
    let mut data = Vec::with_capacity(3 * height * width);
    for c in 0..3 {
        for y in 0..height {
            for x in 0..width {
                let v = canvas.at(y, x, c) / 255.0 * 2.0 - 1.0;
                data.push((v * (1.0 - mask.at(y, x, 0))) as f32);
            }
        }
    }
    HostTensor::f32([1, 3, height, width], data)
}

/// The decoder's (1, 3, H, W) output as pixels: round(clip((v + 1)/2, 0, 1)·255).
fn pixels(image: &HostTensor, height: usize, width: usize) -> Plane {
    let values = image.as_f32().expect("the decoder gives f32");
    let area = height * width;
    let data = (0..3 * area)
        .map(|i| {
            let v = f64::from(values[i % 3 * area + i / 3]);
            round_pixel(((v + 1.0) / 2.0).clamp(0.0, 1.0) * 255.0).into()
        })
        .collect();
    Plane {
        height,
        width,
        channels: 3,
        data,
    }
}

/// How much of the result each pixel of the picture takes when pasting back: the mask blurred,
/// cropped to the content rectangle and scaled to the picture's size.
fn paste_weights(mask: &Plane, rect: Rect, picture: &Picture) -> Plane {
    let blurred = gaussian_blur(mask, 3.0);
    let crop = blurred.crop(rect.x, rect.y, rect.width, rect.height);
    bilinear(&crop, picture.height, picture.width)
}

/// The content rectangle scaled back to the picture's size; with paste `weights`, blended into
/// the picture so that unpainted pixels keep their own values.
fn back_to_picture(
    decoded: &Plane,
    weights: Option<&Plane>,
    rect: Rect,
    picture: &Picture,
) -> Picture {
    let crop = decoded.crop(rect.x, rect.y, rect.width, rect.height);
    let result = bilinear(&crop, picture.height, picture.width);
    let rgb = match weights {
        Some(m) => (result.data.iter().zip(&picture.rgb).enumerate())
            .map(|(i, (&v, &own))| {
                let weight = m.data[i / 3];
                let v = f64::from(round_pixel(v));
                round_pixel(v * weight + f64::from(own) * (1.0 - weight))
            })
            .collect(),
        None => result.data.iter().map(|&v| round_pixel(v)).collect(),
    };
    Picture {
        width: picture.width,
        height: picture.height,
        rgb,
    }
}
