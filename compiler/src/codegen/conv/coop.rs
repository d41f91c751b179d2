//! Convolutions of one group on cooperative matrices (`--cooperative-matrix`): how each is laid
//! out over subgroups and matrices, and the rules that keep its direct loads inside its tensors.

use onnx2wgsl_opset18::ops::conv::Conv;
use serde::Serialize;

use super::{bindings, gemm_params, pointwise, Output};
use crate::codegen::{Kernel, Lowering};
use crate::target::COOPERATIVE_WORKGROUP_BYTES;
use crate::CompileError;

/// Taps per step of the cooperative-matrix kernel: two 16-deep products.
const COOP_DEPTH: usize = 32;

#[derive(Serialize)]
struct CoopContext {
    has_bias: bool,
    upsampled: bool,
    #[serde(flatten)]
    tiles: CoopTiles,
}

/// How a cooperative-matrix convolution is laid out.
#[derive(Serialize, Debug)]
struct CoopTiles {
    tile_m: usize,
    tile_q: usize,
    /// The subgroups as a sg_m × sg_q grid, each with fm × fq matrices of sums.
    sg_m: usize,
    sg_q: usize,
    fm: usize,
    fq: usize,
    depth: usize,
    /// Pixels of a staged run (consecutive in an output row), unless `direct_x`.
    run: usize,
    /// 1×1 over whole tiles of pixels: patches are read as matrices straight from the input.
    direct_x: bool,
    /// Whole tiles of rows and whole steps of taps: weights are read as matrices straight from
    /// memory. Else each invocation stages w_slots of them per step.
    direct_w: bool,
    w_slots: usize,
}

/// Two workgroups of 256 invocations for each of an H100's or H200's 132 multiprocessors.
const COOP_WORKGROUPS: usize = 264;

impl CoopTiles {
    /// What the kernel relies on for a convolution of `m` output channels, weight rows of `taps`
    /// taps, and `pixels` output pixels in rows of `width`. Matrices read straight from memory
    /// must lie inside their tensors: outside, the read is undefined behaviour on the device,
    /// not an error.
    fn sound(&self, m: usize, taps: usize, pixels: usize, width: usize) -> bool {
        let subgroups = self.sg_m * self.sg_q;
        let staged_x = if self.direct_x {
            0
        } else {
            self.depth * self.tile_q
        };
        let staged_w = if self.direct_w {
            0
        } else {
            self.tile_m * self.depth
        };
        let bytes = 2 * (staged_x + staged_w) + 4 * 256 * subgroups;
        self.fm >= 1
            && self.fq >= 1
            && self.tile_m == 16 * self.sg_m * self.fm
            && self.tile_q == 16 * self.sg_q * self.fq
            && (!self.direct_w
                || (m.is_multiple_of(self.tile_m) && taps.is_multiple_of(self.depth)))
            && (!self.direct_x
                || (pixels.is_multiple_of(self.tile_q) && taps.is_multiple_of(self.depth)))
            && (self.direct_x || (subgroups == 8 && 8 * self.run == self.tile_q))
            && (self.direct_x || width.is_multiple_of(self.run))
            && (self.direct_w || 256 * self.w_slots == self.tile_m * self.depth)
            && bytes <= COOPERATIVE_WORKGROUP_BYTES as usize
    }
}

/// Convolutions of one group on cooperative matrices: 1×1 ones over whole tiles of pixels read
/// both operands straight from memory, the others gather patches into workgroup memory (and
/// stage weights too where the output channels or taps do not fill the tiles). Those whose
/// output rows the gathered runs would cross, or whose tensors would be bound in parts, go to
/// the f32-arithmetic kernel.
pub(super) fn conv(
    l: &Lowering,
    op: &Conv,
    pads: &[usize],
) -> Result<Option<Kernel>, CompileError> {
    let (w, bias) = (l.input(1).unwrap(), l.input(2));
    let (ws, out) = (l.shape(w), Output::of(l));
    let depth = ws[1] * ws[2] * ws[3];
    let bindings = bindings(l);
    let binding = l.target.limits.max_storage_buffer_binding_size;
    if bindings.iter().any(|r| r.size > binding) {
        return Ok(None);
    }
    let (m, pixels, width) = (out.channels, out.pixels(), out.width);
    let whole = m.is_multiple_of(32) && depth.is_multiple_of(COOP_DEPTH);
    let tiles = match pointwise(op, ws, pads) {
        true => direct_tiles(m, pixels, out.planes, depth),
        false => None,
    };
    let Some(tiles) = tiles.or_else(|| staged_tiles(m, pixels, width, out.planes, whole)) else {
        return Ok(None);
    };
    debug_assert!(tiles.sound(m, depth, pixels, width), "{tiles:?}");
    let params = gemm_params(l, op, pads, tiles.depth)?;
    let groups = [
        pixels.div_ceil(tiles.tile_q),
        m.div_ceil(tiles.tile_m),
        out.planes,
    ];
    let context = CoopContext {
        has_bias: bias.is_some(),
        upsampled: l.node.upsampled,
        tiles,
    };
    l.kernel_with_grid("conv_gemm_coop.wgsl", &context, bindings, params, groups)
        .map(Some)
}

/// Four subgroups for each of an H100's or H200's 132 multiprocessors.
const COOP_SUBGROUPS: usize = 528;

/// A 1×1 convolution reads its matrices straight from memory, so its workgroups are 2×2
/// subgroups of as many matrices each as still give COOP_SUBGROUPS: 4×4 (a 128×128 tile), 2×4,
/// 2×2, else 1×2. None when the pixels do not fill the tiles or the taps (input channels) the
/// steps.
fn direct_tiles(m: usize, pixels: usize, images: usize, depth: usize) -> Option<CoopTiles> {
    if !depth.is_multiple_of(COOP_DEPTH) {
        return None;
    }
    let fits =
        |&(fm, fq): &(usize, usize)| m.is_multiple_of(32 * fm) && pixels.is_multiple_of(32 * fq);
    let subgroups = |(fm, fq): (usize, usize)| m / (16 * fm) * (pixels / (16 * fq)) * images;
    let fitting: Vec<_> = [(4, 4), (2, 4), (2, 2), (1, 2)]
        .into_iter()
        .filter(fits)
        .collect();
    let &(fm, fq) = fitting
        .iter()
        .find(|&&s| subgroups(s) >= COOP_SUBGROUPS)
        .or(fitting.last())?;
    Some(CoopTiles {
        tile_m: 32 * fm,
        tile_q: 32 * fq,
        sg_m: 2,
        sg_q: 2,
        fm,
        fq,
        depth: if depth.is_multiple_of(64) {
            64
        } else {
            COOP_DEPTH
        },
        run: 0,
        direct_x: true,
        direct_w: true,
        w_slots: 0,
    })
}

/// Patches gathered into workgroup memory by 8 subgroups, two matrices of rows each: tiles of
/// 128, 64 or 32 rows, the largest that computes fewest rows past the output channels; 128
/// pixels, or 64 where that leaves fewer than COOP_WORKGROUPS. Each subgroup gathers a run of
/// an eighth of the pixels, which must not cross an output row (of `width` pixels). Weights
/// are staged too unless `whole` (rows and taps fill the tiles and steps).
fn staged_tiles(
    m: usize,
    pixels: usize,
    width: usize,
    images: usize,
    whole: bool,
) -> Option<CoopTiles> {
    let tile_m = [128, 64, 32]
        .into_iter()
        .min_by_key(|&t| (m.div_ceil(t) * t, std::cmp::Reverse(t)))
        .unwrap();
    let workgroups = |tile_q: usize| pixels.div_ceil(tile_q) * m.div_ceil(tile_m) * images;
    let tile_q = match tile_m > 32 && workgroups(128) < COOP_WORKGROUPS {
        true => 64,
        false => 128,
    };
    let sg_m = tile_m / 32;
    let sg_q = 8 / sg_m;
    let run = tile_q / 8;
    if !width.is_multiple_of(run) {
        return None;
    }
    Some(CoopTiles {
        tile_m,
        tile_q,
        sg_m,
        sg_q,
        fm: 2,
        fq: tile_q / (16 * sg_q),
        depth: COOP_DEPTH,
        run,
        direct_x: false,
        direct_w: whole,
        w_slots: if whole { 0 } else { tile_m * COOP_DEPTH / 256 },
    })
}

#[cfg(test)]
mod tests {
    use super::{direct_tiles, staged_tiles, CoopTiles, COOP_DEPTH};

    #[test]
    fn direct_tiles_are_as_large_as_still_keep_the_gpu_busy() {
        let shape = |c: CoopTiles| (c.fm, c.fq, c.depth);
        // 1280 channels at 32²: 4×4 matrices per subgroup give 640 subgroups; 64 taps per step.
        assert_eq!(
            direct_tiles(1280, 1024, 2, 1280).map(shape),
            Some((4, 4, 64))
        );
        // A MixFFN expansion at 64²: 1600 rows fill 64-row tiles, not 128.
        assert_eq!(
            direct_tiles(1600, 4096, 2, 320).map(shape),
            Some((2, 4, 64))
        );
        // Its contraction at 16² has few tiles: 2×2 matrices give 640 subgroups.
        assert_eq!(
            direct_tiles(1280, 256, 2, 3200).map(shape),
            Some((2, 2, 64))
        );
        // 800 channels fill only 32-row tiles; 800 taps are whole 32-tap steps only.
        assert_eq!(direct_tiles(800, 4096, 2, 800).map(shape), Some((1, 2, 32)));
        assert!(direct_tiles(800, 100, 2, 800).is_none());
    }

    #[test]
    fn staged_runs_stay_within_an_output_row() {
        let tiles = staged_tiles(1280, 1024, 32, 2, true).unwrap();
        assert_eq!((tiles.tile_m, tiles.tile_q, tiles.run), (128, 64, 8));
        let tiles = staged_tiles(128, 512 * 512, 512, 1, true).unwrap();
        assert_eq!((tiles.tile_m, tiles.tile_q, tiles.run), (128, 128, 16));
        assert!(staged_tiles(64, 100, 10, 1, true).is_none());
    }

    #[test]
    fn every_layout_chosen_reads_inside_its_tensors() {
        let mut chosen = 0;
        for m in (1..=200).chain([320, 640, 1280, 1600, 3200, 6400]) {
            for taps in [1, 3, 9, 27, 32, 64, 96, 225, 288, 320, 800, 1152, 3200] {
                for width in [1, 8, 10, 16, 24, 32, 40, 64, 128, 512] {
                    for (height, images) in [(1, 1), (width, 1), (width, 2), (7, 3)] {
                        let pixels = width * height;
                        let direct = direct_tiles(m, pixels, images, taps);
                        let whole = m % 32 == 0 && taps.is_multiple_of(COOP_DEPTH);
                        let staged = staged_tiles(m, pixels, width, images, whole);
                        for tiles in direct.into_iter().chain(staged) {
                            assert!(
                                tiles.sound(m, taps, pixels, width),
                                "{m} {taps} {width} {tiles:?}"
                            );
                            chosen += 1;
                        }
                    }
                }
            }
        }
        assert!(chosen > 10_000, "{chosen}");
    }

    #[test]
    fn staged_tiles_compute_few_rows_past_the_channels() {
        let rows = |m| staged_tiles(m, 4096, 64, 80, false).unwrap().tile_m;
        // The λ-layers' 40, 80 and 160 position filters: 64, 96 and 160 rows.
        assert_eq!((rows(40), rows(80), rows(160)), (64, 32, 32));
        assert_eq!(staged_tiles(3, 4096, 64, 1, false).unwrap().w_slots, 4);
    }
}
