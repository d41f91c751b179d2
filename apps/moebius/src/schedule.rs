//! The DDIM schedule (η = 0, no clipping) of the Moebius pipeline notes, as one affine update per
//! step: x ← a·x + b·ε.

/// One denoising step: the UNet's timestep and the update's coefficients.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    pub timestep: i64,
    pub a: f64,
    pub b: f64,
}

/// The steps for `count` requested steps (strength 0.99 drops the first of them).
pub fn ddim(count: usize) -> Vec<Step> {
    let (low, high) = (0.00085f64.sqrt(), 0.012f64.sqrt());
    let mut alphas_cumprod = Vec::with_capacity(1000);
    let mut product = 1.0;
    for i in 0..1000 {
        let beta = (low + (high - low) * i as f64 / 999.0).powi(2);
        product *= 1.0 - beta;
        alphas_cumprod.push(product);
    }
    let stride = 1000 / count;
    let kept = (0.99 * count as f64).floor() as usize;
    let timesteps: Vec<usize> = (0..count)
        .rev()
        .map(|i| i * stride)
        .skip(count - kept)
        .collect();
    (0..timesteps.len())
        .map(|k| {
            let now = alphas_cumprod[timesteps[k]];
            let next = timesteps.get(k + 1).map_or(1.0, |&t| alphas_cumprod[t]);
            Step {
                timestep: timesteps[k] as i64,
                a: next.sqrt() / now.sqrt(),
                b: (1.0 - next).sqrt() - next.sqrt() * (1.0 - now).sqrt() / now.sqrt(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_steps_are_nineteen_from_900_to_0() {
        let steps = ddim(20);
        let timesteps: Vec<i64> = steps.iter().map(|s| s.timestep).collect();
        assert_eq!(
            timesteps,
            (0..19).rev().map(|i| i * 50).collect::<Vec<i64>>()
        );
        // Reference values (fixtures/moebius_pipeline/reference.py).
        assert!((steps[0].a - 1.2831390236409077).abs() < 1e-12);
        assert!((steps[0].b - -0.2857459356895553).abs() < 1e-12);
        assert!((steps[18].a - 1.000425271129557).abs() < 1e-12);
        assert!((steps[18].b - -0.029167158151720367).abs() < 1e-12);
    }
}
