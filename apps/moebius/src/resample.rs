//! Resampling as the pipeline notes define it (apps/moebius/README.md): nearest and bilinear
//! sampling without antialiasing, in float64, on row-major (height, width, channels) arrays.

/// A row-major (height, width, channels) array of samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Plane {
    pub height: usize,
    pub width: usize,
    pub channels: usize,
    pub data: Vec<f64>,
}

impl Plane {
    pub fn new(height: usize, width: usize, channels: usize) -> Plane {
        Plane {
            height,
            width,
            channels,
            data: vec![0.0; height * width * channels],
        }
    }

    pub fn at(&self, y: usize, x: usize, c: usize) -> f64 {
        self.data[(y * self.width + x) * self.channels + c]
    }

    pub fn set(&mut self, y: usize, x: usize, c: usize, value: f64) {
        self.data[(y * self.width + x) * self.channels + c] = value;
    }

    /// Row `y`: its samples, pixel by pixel.
    fn row(&self, y: usize) -> &[f64] {
        let len = self.width * self.channels;
        &self.data[y * len..][..len]
    }

    fn row_mut(&mut self, y: usize) -> &mut [f64] {
        let len = self.width * self.channels;
        &mut self.data[y * len..][..len]
    }

    /// The `width`×`height` rectangle at (`x`, `y`).
    pub fn crop(&self, x: usize, y: usize, width: usize, height: usize) -> Plane {
        let mut out = Plane::new(height, width, self.channels);
        let c = self.channels;
        for j in 0..height {
            out.row_mut(j)
                .copy_from_slice(&self.row(y + j)[x * c..(x + width) * c]);
        }
        out
    }

    /// Writes `other` into this plane with its top-left corner at (`x`, `y`).
    pub fn paste(&mut self, other: &Plane, x: usize, y: usize) {
        let c = self.channels;
        for j in 0..other.height {
            self.row_mut(y + j)[x * c..(x + other.width) * c].copy_from_slice(other.row(j));
        }
    }

    /// Every sample rounded to a pixel value.
    pub fn rounded(&self) -> Plane {
        Plane {
            data: self.data.iter().map(|&v| round_pixel(v) as f64).collect(),
            ..self.clone()
        }
    }
}

/// ⌊v + 0.5⌋ clamped to 0…255.
pub fn round_pixel(v: f64) -> u8 {
    (v + 0.5).floor().clamp(0.0, 255.0) as u8
}

/// Source index of destination index `i`: ⌊(i + 0.5)·src/dst⌋, clamped.
fn nearest_index(i: usize, src: usize, dst: usize) -> usize {
    let at = ((i as f64 + 0.5) * src as f64 / dst as f64).floor() as usize;
    at.min(src - 1)
}

pub fn nearest(plane: &Plane, height: usize, width: usize) -> Plane {
    let mut out = Plane::new(height, width, plane.channels);
    let c = plane.channels;
    let columns: Vec<usize> = (0..width)
        .map(|x| nearest_index(x, plane.width, width))
        .collect();
    for y in 0..height {
        let source = plane.row(nearest_index(y, plane.height, height));
        for (pixel, &sx) in out.row_mut(y).chunks_exact_mut(c).zip(&columns) {
            pixel.copy_from_slice(&source[sx * c..(sx + 1) * c]);
        }
    }
    out
}

/// Per destination index along one axis: (i₀, i₁, weight of i₁).
fn bilinear_taps(src: usize, dst: usize) -> Vec<(usize, usize, f64)> {
    (0..dst)
        .map(|i| {
            let c = ((i as f64 + 0.5) * src as f64 / dst as f64 - 0.5).clamp(0.0, (src - 1) as f64);
            let i0 = c.floor() as usize;
            (i0, (i0 + 1).min(src - 1), c - i0 as f64)
        })
        .collect()
}

/// Bilinear sampling to `height`×`width`: rows first, then columns. Not rounded. Both passes
/// walk rows of memory in order (the inpaint's paste-back resamples three planes of 768×512).
pub fn bilinear(plane: &Plane, height: usize, width: usize) -> Plane {
    let c = plane.channels;
    let mut rows = Plane::new(height, plane.width, c);
    for (y, (y0, y1, f)) in bilinear_taps(plane.height, height).into_iter().enumerate() {
        let (top, bottom) = (plane.row(y0), plane.row(y1));
        for ((v, &a), &b) in rows.row_mut(y).iter_mut().zip(top).zip(bottom) {
            *v = a * (1.0 - f) + b * f;
        }
    }
    let mut out = Plane::new(height, width, c);
    let taps = bilinear_taps(plane.width, width);
    for y in 0..height {
        let source = rows.row(y);
        for (pixel, &(x0, x1, f)) in out.row_mut(y).chunks_exact_mut(c).zip(&taps) {
            for (ch, v) in pixel.iter_mut().enumerate() {
                *v = source[x0 * c + ch] * (1.0 - f) + source[x1 * c + ch] * f;
            }
        }
    }
    out
}

/// A separable Gaussian of `sigma` over k = −⌈3σ⌉…⌈3σ⌉, normalised, edges replicated. Each
/// sample's sum adds its taps in order of k in both passes.
pub fn gaussian_blur(plane: &Plane, sigma: f64) -> Plane {
    let radius = (3.0 * sigma).ceil() as isize;
    let weights: Vec<f64> = (-radius..=radius)
        .map(|k| (-((k * k) as f64) / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    let weights: Vec<(isize, f64)> = (-radius..=radius)
        .zip(weights.iter().map(|w| w / total))
        .collect();
    let clamped =
        |i: usize, d: isize, len: usize| (i as isize + d).clamp(0, len as isize - 1) as usize;
    let c = plane.channels;
    let mut vertical = Plane::new(plane.height, plane.width, c);
    for y in 0..plane.height {
        let out = vertical.row_mut(y);
        for &(d, w) in &weights {
            for (v, &s) in out.iter_mut().zip(plane.row(clamped(y, d, plane.height))) {
                *v += w * s;
            }
        }
    }
    let mut out = Plane::new(plane.height, plane.width, c);
    for y in 0..plane.height {
        let source = vertical.row(y);
        for (x, pixel) in out.row_mut(y).chunks_exact_mut(c).enumerate() {
            for (ch, v) in pixel.iter_mut().enumerate() {
                for &(d, w) in &weights {
                    *v += w * source[clamped(x, d, plane.width) * c + ch];
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilinear_keeps_constants_and_interpolates_half_pixel_centres() {
        let plane = Plane {
            height: 1,
            width: 2,
            channels: 1,
            data: vec![0.0, 100.0],
        };
        let up = bilinear(&plane, 1, 4);
        assert_eq!(up.data, vec![0.0, 25.0, 75.0, 100.0]);
        let blurred = gaussian_blur(
            &Plane {
                data: vec![7.0; 6],
                ..Plane::new(2, 3, 1)
            },
            3.0,
        );
        assert!(blurred.data.iter().all(|v| (v - 7.0).abs() < 1e-12));
    }

    /// Samples that are not all integers, with no two rows alike.
    fn ramp(height: usize, width: usize, channels: usize) -> Plane {
        Plane {
            data: (0..height * width * channels)
                .map(|i| ((i * 37) % 101) as f64 * 0.77 - 13.0)
                .collect(),
            ..Plane::new(height, width, channels)
        }
    }

    /// The definitions, sample by sample, that the row-wise passes must equal bit for bit.
    fn bilinear_by_definition(plane: &Plane, height: usize, width: usize) -> Plane {
        let (ty, tx) = (
            bilinear_taps(plane.height, height),
            bilinear_taps(plane.width, width),
        );
        let mut rows = Plane::new(height, plane.width, plane.channels);
        let mut out = Plane::new(height, width, plane.channels);
        for c in 0..plane.channels {
            for (y, &(y0, y1, f)) in ty.iter().enumerate() {
                for x in 0..plane.width {
                    let v = plane.at(y0, x, c) * (1.0 - f) + plane.at(y1, x, c) * f;
                    rows.set(y, x, c, v);
                }
            }
            for y in 0..height {
                for (x, &(x0, x1, f)) in tx.iter().enumerate() {
                    let v = rows.at(y, x0, c) * (1.0 - f) + rows.at(y, x1, c) * f;
                    out.set(y, x, c, v);
                }
            }
        }
        out
    }

    fn blur_by_definition(plane: &Plane, sigma: f64) -> Plane {
        let r = (3.0 * sigma).ceil() as isize;
        let raw: Vec<f64> = (-r..=r)
            .map(|k| (-((k * k) as f64) / (2.0 * sigma * sigma)).exp())
            .collect();
        let total: f64 = raw.iter().sum();
        let along = |source: &Plane, vertical: bool| {
            let mut out = Plane::new(source.height, source.width, source.channels);
            for y in 0..source.height {
                for x in 0..source.width {
                    for c in 0..source.channels {
                        let mut sum = 0.0;
                        for (k, w) in (-r..=r).zip(&raw) {
                            let at = |i: usize, len: usize| {
                                (i as isize + k).clamp(0, len as isize - 1) as usize
                            };
                            let v = if vertical {
                                source.at(at(y, source.height), x, c)
                            } else {
                                source.at(y, at(x, source.width), c)
                            };
                            sum += w / total * v;
                        }
                        out.set(y, x, c, sum);
                    }
                }
            }
            out
        };
        along(&along(plane, true), false)
    }

    #[test]
    fn row_wise_passes_equal_the_definitions_bit_for_bit() {
        for (h, w, c) in [(7, 5, 3), (1, 9, 1), (12, 4, 2)] {
            let plane = ramp(h, w, c);
            for (dh, dw) in [(13, 8), (3, 2), (1, 1), (h, w)] {
                assert_eq!(
                    bilinear(&plane, dh, dw),
                    bilinear_by_definition(&plane, dh, dw)
                );
            }
            for sigma in [0.5, 3.0] {
                assert_eq!(
                    gaussian_blur(&plane, sigma),
                    blur_by_definition(&plane, sigma)
                );
            }
            let crop = plane.crop(1, h / 2, w - 2, h - h / 2);
            for j in 0..crop.height {
                for i in 0..crop.width {
                    for k in 0..c {
                        assert_eq!(crop.at(j, i, k), plane.at(j + h / 2, i + 1, k));
                    }
                }
            }
            let mut canvas = Plane::new(h + 3, w + 4, c);
            canvas.paste(&plane, 3, 2);
            assert_eq!(canvas.crop(3, 2, w, h), plane);
            assert_eq!(canvas.at(1, 3, 0), 0.0);
        }
    }

    #[test]
    fn nearest_picks_the_source_pixel_under_each_centre() {
        let plane = Plane {
            height: 1,
            width: 4,
            channels: 1,
            data: vec![1.0, 2.0, 3.0, 4.0],
        };
        assert_eq!(nearest(&plane, 1, 2).data, vec![2.0, 4.0]);
        assert_eq!(round_pixel(254.5), 255);
        assert_eq!(round_pixel(-3.0), 0);
    }
}
