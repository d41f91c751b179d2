//! Fitting a picture and its mask into the model's fixed canvas, and the mask's own rules.

use crate::resample::{nearest, Plane};
use crate::Error;

/// Where the picture lies on the canvas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
}

/// The rectangle of a `width`×`height` picture scaled to fit (contain) the canvas, centred.
pub fn fit(
    canvas_width: usize,
    canvas_height: usize,
    width: usize,
    height: usize,
) -> Result<Rect, Error> {
    let scale = (canvas_width as f64 / width as f64).min(canvas_height as f64 / height as f64);
    let w = (width as f64 * scale + 0.5).floor() as usize;
    let h = (height as f64 * scale + 0.5).floor() as usize;
    if w == 0 || h == 0 || width == 0 || height == 0 {
        return Err(Error::TooThin {
            width,
            height,
            canvas_width,
            canvas_height,
        });
    }
    Ok(Rect {
        x: (canvas_width - w) / 2,
        y: (canvas_height - h) / 2,
        width: w,
        height: h,
    })
}

/// The binary mask (1 = fill in) of an RGBA image: (R + G + B)/3 · A/255 ≥ 128, in integers so
/// that no rounding moves the threshold.
pub fn mask_from_rgba(rgba: &[u8], width: usize, height: usize) -> Plane {
    let data = rgba
        .chunks_exact(4)
        .map(|p| {
            let grey = (u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) * u32::from(p[3]);
            f64::from(u8::from(grey >= 128 * 3 * 255))
        })
        .collect();
    Plane {
        height,
        width,
        channels: 1,
        data,
    }
}

/// The mask at the picture's size: scaled by nearest sampling when it has the picture's aspect
/// ratio (within a pixel of rounding), refused otherwise.
pub fn mask_for_picture(mask: Plane, width: usize, height: usize) -> Result<Plane, Error> {
    if (mask.width, mask.height) == (width, height) {
        return Ok(mask);
    }
    let (mw, mh) = (mask.width, mask.height);
    let close = |a: usize, b: usize, within: usize| a.abs_diff(b) <= within;
    if !close(mh * width, height * mw, mw) && !close(mw * height, width * mh, mh) {
        return Err(Error::MaskAspect {
            mask_width: mw,
            mask_height: mh,
            width,
            height,
        });
    }
    Ok(nearest(&mask, height, width))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_picture_is_centred_vertically() {
        let rect = fit(128, 128, 120, 80).unwrap();
        assert_eq!(
            rect,
            Rect {
                x: 0,
                y: 21,
                width: 128,
                height: 85
            }
        );
        assert!(matches!(
            fit(128, 128, 10_000, 1),
            Err(Error::TooThin { .. })
        ));
    }

    #[test]
    fn a_mask_of_another_shape_is_refused_and_of_another_size_scaled() {
        let mask = Plane::new(40, 60, 1);
        assert_eq!(mask_for_picture(mask.clone(), 120, 80).unwrap().width, 120);
        let error = mask_for_picture(mask, 100, 100).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the mask is 60×40, the picture 100×100: their aspect ratios differ"
        );
    }
}
