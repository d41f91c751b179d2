//! The initial latents, drawn as the browser port of Moebius draws them (so that one seed gives one
//! image in both): mulberry32 and Box–Muller, plus a per-channel offset from a second generator.

/// The weight of the per-channel offset.
const NOISE_OFFSET: f64 = 0.0357;

/// mulberry32: JavaScript's 32-bit wrapping arithmetic (`Math.imul`, `>>>`) on u32.
struct Mulberry32(u32);

impl Mulberry32 {
    fn draw(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x6D2B_79F5);
        let a = self.0;
        let mut t = (a ^ (a >> 15)).wrapping_mul(1 | a);
        t = t.wrapping_add((t ^ (t >> 7)).wrapping_mul(61 | t)) ^ t;
        f64::from(t ^ (t >> 14)) / 4_294_967_296.0
    }

    /// A draw that is not 0 (Box–Muller takes its logarithm).
    fn draw_nonzero(&mut self) -> f64 {
        loop {
            let value = self.draw();
            if value != 0.0 {
                return value;
            }
        }
    }

    /// One standard normal value per (u, v) pair.
    fn normal(&mut self) -> f64 {
        let u = self.draw_nonzero();
        let v = self.draw_nonzero();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Latents of shape (channels, height, width), C order: a normal value per element, then
/// 0.0357 · (one normal value per channel, from a generator seeded by seed ^ 0x9E3779B9).
pub fn initial_latents(seed: u32, channels: usize, height: usize, width: usize) -> Vec<f32> {
    let mut values = Mulberry32(seed);
    let mut offsets = Mulberry32(seed ^ 0x9E37_79B9);
    let mut latents: Vec<f64> = (0..channels * height * width)
        .map(|_| values.normal())
        .collect();
    for channel in latents.chunks_mut(height * width) {
        let offset = NOISE_OFFSET * offsets.normal();
        channel.iter_mut().for_each(|v| *v += offset);
    }
    latents.into_iter().map(|v| v as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_browser_ports_generator() {
        // Seed 0: the first draws and noise values, as JavaScript's mulberry32 gives them
        // (checked against the reference pipeline in fixtures/moebius_pipeline).
        let mut g = Mulberry32(0);
        let draws: Vec<f64> = (0..4).map(|_| g.draw()).collect();
        assert_eq!(
            draws,
            [
                0.26642920868471265,
                0.0003297457005828619,
                0.2232720274478197,
                0.1462021479383111
            ]
        );
        let latents = initial_latents(0, 4, 16, 16);
        // As float64, exactly the float32 values the reference printed.
        let expected = [
            1.6666371822357178,
            1.0912007093429565,
            -1.1441824436187744,
            -0.5442001223564148,
            -1.0533205270767212,
            1.4077739715576172,
            -0.33756592869758606,
            -0.3942444622516632,
        ];
        let got: Vec<f64> = latents[..8].iter().map(|&v| f64::from(v)).collect();
        assert_eq!(got, expected);
    }
}
