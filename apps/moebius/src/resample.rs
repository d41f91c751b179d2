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

    /// The `width`×`height` rectangle at (`x`, `y`).
    pub fn crop(&self, x: usize, y: usize, width: usize, height: usize) -> Plane {
        let mut out = Plane::new(height, width, self.channels);
        for j in 0..height {
            for i in 0..width {
                for c in 0..self.channels {
                    out.set(j, i, c, self.at(y + j, x + i, c));
                }
            }
        }
        out
    }

    /// Writes `other` into this plane with its top-left corner at (`x`, `y`).
    pub fn paste(&mut self, other: &Plane, x: usize, y: usize) {
        for j in 0..other.height {
            for i in 0..other.width {
                for c in 0..self.channels {
                    self.set(y + j, x + i, c, other.at(j, i, c));
                }
            }
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
    for y in 0..height {
        let sy = nearest_index(y, plane.height, height);
        for x in 0..width {
            let sx = nearest_index(x, plane.width, width);
            for c in 0..plane.channels {
                out.set(y, x, c, plane.at(sy, sx, c));
            }
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

/// Bilinear sampling to `height`×`width`: rows first, then columns. Not rounded.
pub fn bilinear(plane: &Plane, height: usize, width: usize) -> Plane {
    let mut rows = Plane::new(height, plane.width, plane.channels);
    for (y, (y0, y1, f)) in bilinear_taps(plane.height, height).into_iter().enumerate() {
        for x in 0..plane.width {
            for c in 0..plane.channels {
                let v = plane.at(y0, x, c) * (1.0 - f) + plane.at(y1, x, c) * f;
                rows.set(y, x, c, v);
            }
        }
    }
    let mut out = Plane::new(height, width, plane.channels);
    let taps = bilinear_taps(plane.width, width);
    // Row by row, so that both passes walk memory in order.
    for y in 0..height {
        for (x, &(x0, x1, f)) in taps.iter().enumerate() {
            for c in 0..plane.channels {
                let v = rows.at(y, x0, c) * (1.0 - f) + rows.at(y, x1, c) * f;
                out.set(y, x, c, v);
            }
        }
    }
    out
}

/// A separable Gaussian of `sigma` over k = −⌈3σ⌉…⌈3σ⌉, normalised, edges replicated.
pub fn gaussian_blur(plane: &Plane, sigma: f64) -> Plane {
    let radius = (3.0 * sigma).ceil() as isize;
    let weights: Vec<f64> = (-radius..=radius)
        .map(|k| (-((k * k) as f64) / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    let weights: Vec<(isize, f64)> = (-radius..=radius)
        .zip(weights.iter().map(|w| w / total))
        .collect();
    let along = |source: &Plane, vertical: bool| {
        let mut out = Plane::new(source.height, source.width, source.channels);
        for y in 0..source.height {
            for x in 0..source.width {
                for c in 0..source.channels {
                    let mut sum = 0.0;
                    for &(d, w) in &weights {
                        let (sy, sx) = if vertical {
                            (
                                (y as isize + d).clamp(0, source.height as isize - 1) as usize,
                                x,
                            )
                        } else {
                            (
                                y,
                                (x as isize + d).clamp(0, source.width as isize - 1) as usize,
                            )
                        };
                        sum += w * source.at(sy, sx, c);
                    }
                    out.set(y, x, c, sum);
                }
            }
        }
        out
    };
    along(&along(plane, true), false)
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
