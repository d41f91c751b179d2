//! A 3×3 convolution (stride 1, padding 1, one group) of a nearest ×2 upsampling is four 2×2
//! convolutions of the small input, one per output phase (row and column parity): each of the
//! three rows a 3×3 window covers in the upsampled tensor repeats one of two rows of the small
//! one, and likewise for columns. Folded, the convolution does 4/9 of the multiply-adds and the
//! upsampled tensor is never stored; the weights grow by 16/9. The node then reads the small input
//! and is marked [`Node::upsampled`](crate::ir::Node::upsampled); kernels map its output phases
//! back to the large output.

use onnx2wgsl_opset18::ops::resize::{Resize, ResizeMode};
use onnx2wgsl_opset18::{DataType, Op, OpError, Tensor, Value};
use petgraph::stable_graph::NodeIndex;

use crate::ir::{Graph, TensorId, PHASES};

pub fn run(mut graph: Graph) -> Graph {
    let convs: Vec<NodeIndex> = (graph.nodes.node_indices())
        .filter(|&n| matches!(graph.nodes[n].op, Op::Conv(_)))
        .collect();
    for conv in convs {
        if let Some((resize, x, w)) = foldable(&graph, conv) {
            let folded = fold_weights(graph.tensor(w).value.as_ref().expect("a constant"));
            let name = format!("{} per phase", graph.tensor(w).name);
            let folded = graph.add_constant(&name, folded);
            let node = &mut graph.nodes[conv];
            node.inputs[0] = Some(x);
            node.inputs[1] = Some(folded);
            node.upsampled = true;
            graph.remove_node(resize);
        }
    }
    graph.rewire();
    graph
}

/// The Resize, its input and the constant weight, when `conv` convolves a nearest ×2 upsampling
/// that nothing else reads.
fn foldable(graph: &Graph, conv: NodeIndex) -> Option<(NodeIndex, TensorId, TensorId)> {
    let node = &graph.nodes[conv];
    let Op::Conv(op) = &node.op else {
        return None;
    };
    let (upsampled, w) = (node.inputs[0]?, node.inputs[1]?);
    let ws = graph.tensor(w).value.as_ref()?.shape().to_vec();
    let xs = &graph.tensor(upsampled).ty.shape;
    let three_by_three = ws.len() == 4 && ws[2..] == [3, 3] && xs.len() == 4;
    // The folded weights are float32, as the convolution kernels compute.
    let float32 = [upsampled, w].map(|t| graph.tensor(t).ty.dtype) == [DataType::Float; 2];
    if !three_by_three
        || !float32
        || op.group != 1
        || op.strides != [1, 1]
        || op.dilations != [1, 1]
        || op.resolved_pads(&xs[2..], &ws[2..]) != [1, 1, 1, 1]
        || node.upsampled
    {
        return None;
    }
    let resize = graph.producer(upsampled)?;
    let Op::Resize(r) = &graph.nodes[resize].op else {
        return None;
    };
    let source = graph.nodes[resize].inputs[0]?;
    let only_reader = graph.consumers(upsampled) == [conv] && !graph.outputs.contains(&upsampled);
    let doubles = doubles(r, &graph.values(&graph.nodes[resize].inputs)).unwrap_or(false);
    (only_reader && doubles).then_some((resize, source, w))
}

/// Whether the Resize repeats every pixel of an NCHW tensor twice along both spatial axes: output
/// index i samples input index i / 2, as its own rounding and coordinate rules work it out.
fn doubles(r: &Resize, inputs: &[Option<Value>]) -> Result<bool, OpError> {
    if r.mode != ResizeMode::Nearest {
        return Ok(false);
    }
    let axes = r.resolve(inputs)?;
    Ok(axes.len() == 4
        && axes.iter().enumerate().all(|(k, a)| {
            let factor = if k < 2 { 1 } else { 2 };
            let last = a.input as f32 - 1.0;
            a.output == factor * a.input
                && (0..a.output).all(|o| {
                    let at = r.coordinates.source(o as f32, a);
                    r.rounding.apply(at).clamp(0.0, last) as usize == o / factor
                })
        }))
}

/// The 2×2 tap (row or column) of phase `phase` that 3×3 tap `k` falls on: the upsampled row
/// 2a + phase + k − 1 repeats input row a + ⌈(phase + k)/2⌉ − 1, and the phase's first tap is
/// row a + phase − 1.
fn tap(phase: usize, k: usize) -> usize {
    (phase + k).div_ceil(2) - phase
}

/// [M, C, 3, 3] weights as [4·M, C, 2, 2], phase-major: each 2×2 tap sums the 3×3 taps that fall
/// on it.
fn fold_weights(w: &Tensor) -> Tensor {
    let (m, c) = (w.shape()[0], w.shape()[1]);
    let values = w.as_f64();
    let mut folded = vec![0.0f64; PHASES * m * c * 4];
    for phase in 0..PHASES {
        let (py, px) = (phase / 2, phase % 2);
        for row in 0..m * c {
            for ky in 0..3 {
                for kx in 0..3 {
                    let at = ((phase * m * c + row) * 2 + tap(py, ky)) * 2 + tap(px, kx);
                    folded[at] += values[(row * 3 + ky) * 3 + kx];
                }
            }
        }
    }
    let folded: Vec<f32> = folded.iter().map(|&v| v as f32).collect();
    Tensor::from_f32(vec![PHASES * m, c, 2, 2], &folded)
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::Attribute;

    use super::*;
    use crate::testing::Builder;
    use crate::verify::verify;

    #[test]
    fn each_three_by_three_tap_falls_on_the_phase_rows_it_repeats() {
        // Phase 0 reads rows a − 1 (tap 0) and a (taps 1, 2); phase 1 rows a (taps 0, 1) and
        // a + 1 (tap 2).
        assert_eq!([0, 1, 2].map(|k| tap(0, k)), [0, 1, 1]);
        assert_eq!([0, 1, 2].map(|k| tap(1, k)), [0, 0, 1]);
    }

    fn values(count: usize, seed: f32) -> Vec<f32> {
        (0..count).map(|i| (i as f32 * 0.61 + seed).sin()).collect()
    }

    /// The folded phases give what the 3×3 convolution of the upsampled input gives, computed
    /// here by the definitions.
    #[test]
    fn four_phases_of_two_by_two_equal_the_convolution_of_the_upsampled_input() {
        let (m, c, h, w) = (3, 2, 4, 5);
        let x = values(c * h * w, 0.3);
        let weights = Tensor::from_f32(vec![m, c, 3, 3], &values(m * c * 9, 1.7));
        let k = weights.f32s();
        let folded = fold_weights(&weights);
        assert_eq!(folded.shape(), [PHASES * m, c, 2, 2]);
        let f = folded.f32s();
        // Input value at (channel, row, column) of x, zero outside.
        let at = |ci: usize, y: isize, x_: isize| {
            let inside = (0..h as isize).contains(&y) && (0..w as isize).contains(&x_);
            if inside {
                x[(ci * h + y as usize) * w + x_ as usize]
            } else {
                0.0
            }
        };
        for mo in 0..m {
            for oy in 0..2 * h {
                for ox in 0..2 * w {
                    let mut want = 0.0;
                    for ci in 0..c {
                        for ky in 0..3 {
                            for kx in 0..3 {
                                let (uy, ux) = (oy as isize + ky - 1, ox as isize + kx - 1);
                                let inside = (0..2 * h as isize).contains(&uy)
                                    && (0..2 * w as isize).contains(&ux);
                                if inside {
                                    let weight =
                                        k[((mo * c + ci) * 3 + ky as usize) * 3 + kx as usize];
                                    want += weight * at(ci, uy / 2, ux / 2);
                                }
                            }
                        }
                    }
                    let (py, px) = (oy % 2, ox % 2);
                    let phase = 2 * py + px;
                    let mut got = 0.0;
                    for ci in 0..c {
                        for ty in 0..2 {
                            for tx in 0..2 {
                                let iy = (oy / 2 + py + ty) as isize - 1;
                                let ix = (ox / 2 + px + tx) as isize - 1;
                                let weight = f[(((phase * m + mo) * c + ci) * 2 + ty) * 2 + tx];
                                got += weight * at(ci, iy, ix);
                            }
                        }
                    }
                    assert!(
                        (got - want).abs() < 1e-5,
                        "({mo}, {oy}, {ox}): {got} vs {want}"
                    );
                }
            }
        }
    }

    /// Resize (nearest, ×2) → Conv 3×3, and whether something else reads the upsampled tensor.
    fn upsample_then_conv(also_read: bool) -> Graph {
        let mut b = Builder::default();
        let x = b.input("x", &[1, 2, 3, 4]);
        let roi = b.constant("roi", Tensor::from_f32(vec![0], &[]));
        let scales = b.constant("scales", Tensor::from_f32(vec![4], &[1.0, 1.0, 2.0, 2.0]));
        let nearest = [
            ("mode", Attribute::String("nearest".into())),
            (
                "coordinate_transformation_mode",
                Attribute::String("asymmetric".into()),
            ),
            ("nearest_mode", Attribute::String("floor".into())),
        ];
        let up = b.node_with("Resize", &nearest, &[x, roi, scales]);
        let w = b.constant("w", Tensor::from_f32(vec![3, 2, 3, 3], &values(54, 0.0)));
        let pads = [("pads", Attribute::Ints(vec![1, 1, 1, 1]))];
        let y = b.node_with("Conv", &pads, &[up, w]);
        let mut outputs = vec![y];
        if also_read {
            outputs.push(b.node("Relu", &[up]));
        }
        b.finish(&outputs)
    }

    #[test]
    fn the_convolution_reads_the_small_input_and_the_resize_is_gone() {
        let graph = run(upsample_then_conv(false));
        verify(&graph).unwrap();
        let nodes: Vec<_> = graph.nodes.node_weights().collect();
        assert_eq!(nodes.len(), 1);
        assert!(nodes[0].upsampled);
        assert_eq!(nodes[0].inputs[0], Some(graph.inputs[0]));
        let w = nodes[0].inputs[1].unwrap();
        assert_eq!(graph.tensor(w).ty.shape, [12, 2, 2, 2]);
        assert_eq!(graph.tensor(graph.outputs[0]).ty.shape, [1, 3, 6, 8]);
    }

    #[test]
    fn an_upsampling_that_something_else_reads_stays() {
        let graph = run(upsample_then_conv(true));
        assert!(graph.nodes.node_weights().all(|n| !n.upsampled));
        assert_eq!(graph.nodes.node_count(), 3);
    }
}
