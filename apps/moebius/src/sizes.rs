//! The sizes of one Moebius build, read from its plans and checked against each other, so that any
//! consistent set (the released 512² graphs, the tiny test graphs) runs through the same code.

use onnx2wgsl_runtime::plan::{DType, Io, Plan};

use crate::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// The image the VAE takes and gives.
    pub width: usize,
    pub height: usize,
    /// The latent, an eighth of the image each way.
    pub latent_width: usize,
    pub latent_height: usize,
    /// Tokens per row of the UNet's `input_ids`.
    pub tokens: usize,
}

fn io<'a>(
    bundle: &str,
    ios: &'a [Io],
    name: &str,
    dtype: DType,
    rank: usize,
) -> Result<&'a [usize], Error> {
    let found = ios
        .iter()
        .find(|io| io.name == name)
        .ok_or_else(|| Error::Bundle {
            bundle: bundle.to_owned(),
            reason: format!("it has no `{name}`"),
        })?;
    if found.dtype != dtype || found.shape.len() != rank {
        return Err(Error::Bundle {
            bundle: bundle.to_owned(),
            reason: format!(
                "`{name}` is {:?} {:?}, the pipeline needs {dtype:?} of rank {rank}",
                found.dtype, found.shape
            ),
        });
    }
    Ok(&found.shape)
}

fn expect(bundle: &str, what: &str, found: &[usize], expected: &[usize]) -> Result<(), Error> {
    if found == expected {
        return Ok(());
    }
    Err(Error::Bundle {
        bundle: bundle.to_owned(),
        reason: format!("`{what}` has shape {found:?}, the other bundles need {expected:?}"),
    })
}

impl Sizes {
    pub fn of(encoder: &Plan, unet: &Plan, decoder: &Plan) -> Result<Sizes, Error> {
        let latent = io("unet", &unet.inputs, "latent", DType::F32, 4)?;
        let (h, w) = (latent[2], latent[3]);
        expect("unet", "latent", latent, &[2, 9, h, w])?;
        expect(
            "unet",
            "timesteps",
            io("unet", &unet.inputs, "timesteps", DType::I64, 1)?,
            &[2],
        )?;
        let ids = io("unet", &unet.inputs, "input_ids", DType::I64, 2)?;
        expect("unet", "input_ids", ids, &[2, ids[1]])?;
        expect(
            "unet",
            "noise",
            io("unet", &unet.outputs, "noise", DType::F32, 4)?,
            &[2, 4, h, w],
        )?;
        let image = [1, 3, 8 * h, 8 * w];
        expect(
            "vae_encoder",
            "image",
            io("vae_encoder", &encoder.inputs, "image", DType::F32, 4)?,
            &image,
        )?;
        let moments = io("vae_encoder", &encoder.outputs, "moments", DType::F32, 4)?;
        expect("vae_encoder", "moments", moments, &[1, 8, h, w])?;
        let latent = io("vae_decoder", &decoder.inputs, "latent", DType::F32, 4)?;
        expect("vae_decoder", "latent", latent, &[1, 4, h, w])?;
        expect(
            "vae_decoder",
            "image",
            io("vae_decoder", &decoder.outputs, "image", DType::F32, 4)?,
            &image,
        )?;
        Ok(Sizes {
            width: 8 * w,
            height: 8 * h,
            latent_width: w,
            latent_height: h,
            tokens: ids[1],
        })
    }
}
