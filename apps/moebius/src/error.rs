//! What can go wrong in an inpaint, each with the file, bundle or size it concerns.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("bundle `{bundle}` does not fit the pipeline: {reason}")]
    Bundle { bundle: String, reason: String },
    #[error("the mask is {mask_width}×{mask_height}, the picture {width}×{height}: their aspect ratios differ")]
    MaskAspect {
        mask_width: usize,
        mask_height: usize,
        width: usize,
        height: usize,
    },
    #[error("the picture is {width}×{height}: too thin to fit {canvas_width}×{canvas_height}")]
    TooThin {
        width: usize,
        height: usize,
        canvas_width: usize,
        canvas_height: usize,
    },
    #[error("{0}")]
    Settings(String),
    #[error(transparent)]
    Runtime(#[from] onnx2wgsl_runtime::Error),
}
