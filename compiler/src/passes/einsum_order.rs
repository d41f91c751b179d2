//! Chained contractions are regrouped where another order does less work: an Einsum reading the
//! only use of another, x·(a·b), may be computed as (x·a)·b or (x·b)·a instead, as the sum over
//! all three operands is the same. The λ-layers' global position path is this case: q·(R·v) builds
//! a (B, N, K, Vd) tensor that (q·R)·v never materializes, for a fifth of the multiply-adds.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use onnx2wgsl_opset18::ops::einsum::Einsum;
use onnx2wgsl_opset18::{Attribute, DataType, Op, TensorType};
use petgraph::stable_graph::NodeIndex;

use super::einsum_sum::letters;
use crate::ir::{Graph, TensorId};

pub fn run(mut graph: Graph) -> Graph {
    for index in graph.topological_order() {
        if !graph.nodes.contains_node(index) {
            continue;
        }
        if let Some(chain) = find(&graph, index) {
            apply(&mut graph, chain);
            graph.rewire();
        }
    }
    graph
}

/// An operand of the three-way contraction: the tensor and its labels.
#[derive(Clone)]
struct Operand {
    tensor: TensorId,
    labels: Vec<char>,
}

/// `outer` = E(x, inner(a, b)) to rewrite as E(E(first, second), third), with `second` the inner
/// operand that makes the cheaper regrouping.
struct Chain {
    outer: NodeIndex,
    inner: NodeIndex,
    first: Operand,
    second: Operand,
    third: Operand,
    output: Vec<char>,
    sizes: HashMap<char, usize>,
}

/// The operands (tensor, labels) and output labels of a plain two-operand float Einsum.
fn parts(graph: &Graph, node: NodeIndex) -> Option<([Operand; 2], Vec<char>)> {
    let n = &graph.nodes[node];
    let Op::Einsum(Einsum { inputs, output }) = &n.op else {
        return None;
    };
    if n.view || n.epilogue.is_some() || inputs.len() != 2 || n.inputs.len() != 2 {
        return None;
    }
    let operand = |k: usize| {
        let tensor = n.inputs[k]?;
        let labels = letters(&inputs[k])?;
        let float = graph.tensor(tensor).ty.dtype == DataType::Float;
        (float && labels.len() == graph.tensor(tensor).ty.shape.len())
            .then_some(Operand { tensor, labels })
    };
    Some(([operand(0)?, operand(1)?], letters(output.as_ref()?)?))
}

fn find(graph: &Graph, outer: NodeIndex) -> Option<Chain> {
    let (operands, output) = parts(graph, outer)?;
    (0..2).find_map(|t| {
        let (x, t) = (&operands[1 - t], &operands[t]);
        let inner = graph.producer(t.tensor)?;
        if graph.outputs.contains(&t.tensor) || graph.consumers(t.tensor) != [outer] {
            return None;
        }
        let ([a, b], inner_output) = parts(graph, inner)?;
        // The inner labels in the outer's names: its output through the operand they meet at,
        // its summed labels to letters the outer does not use.
        let mut rename: HashMap<char, char> =
            inner_output.iter().copied().zip(t.labels.clone()).collect();
        let used: Vec<char> = (x.labels.iter().chain(&t.labels).chain(&output))
            .copied()
            .collect();
        let mut fresh = ('a'..='z').chain('A'..='Z').filter(|c| !used.contains(c));
        for &c in a.labels.iter().chain(&b.labels) {
            if let Entry::Vacant(slot) = rename.entry(c) {
                slot.insert(fresh.next()?);
            }
        }
        let renamed = |o: &Operand| Operand {
            tensor: o.tensor,
            labels: o.labels.iter().map(|c| rename[c]).collect(),
        };
        let (a, b) = (renamed(&a), renamed(&b));
        let sizes = sizes(graph, [x, &a, &b])?;
        // Which inner operand x meets first: the cheaper of the two regroupings.
        let (second, third) = if cost(&sizes, x, &b, &a, &output) < cost(&sizes, x, &a, &b, &output)
        {
            (b, a)
        } else {
            (a, b)
        };
        let written =
            work(&sizes, &[&second.labels, &third.labels]) + work(&sizes, &[&x.labels, &t.labels]);
        // Only for less than half the work, so that near-ties keep the graph as exported.
        let regrouped = cost(&sizes, x, &second, &third, &output);
        (2 * regrouped < written).then(|| Chain {
            outer,
            inner,
            first: x.clone(),
            second,
            third,
            output: output.clone(),
            sizes,
        })
    })
}

/// Each label's size, if every operand that has it agrees.
fn sizes(graph: &Graph, operands: [&Operand; 3]) -> Option<HashMap<char, usize>> {
    let mut sizes = HashMap::new();
    for o in operands {
        for (&c, &size) in o.labels.iter().zip(&graph.tensor(o.tensor).ty.shape) {
            if *sizes.entry(c).or_insert(size) != size {
                return None;
            }
        }
    }
    Some(sizes)
}

/// Labels of the intermediate of `p`·`q` when `r` follows: those still needed, in order of
/// appearance.
fn kept(p: &Operand, q: &Operand, r: &Operand, output: &[char]) -> Vec<char> {
    let mut labels: Vec<char> = Vec::new();
    for &c in p.labels.iter().chain(&q.labels) {
        if !labels.contains(&c) && (r.labels.contains(&c) || output.contains(&c)) {
            labels.push(c);
        }
    }
    labels
}

/// Multiply-adds of a contraction over the union of `labels`.
fn work(sizes: &HashMap<char, usize>, labels: &[&[char]]) -> u128 {
    let mut all: Vec<char> = labels.iter().flat_map(|l| l.iter()).copied().collect();
    all.sort();
    all.dedup();
    all.iter().map(|c| sizes[c] as u128).product()
}

/// Multiply-adds of p·q, then of that intermediate with r.
fn cost(
    sizes: &HashMap<char, usize>,
    p: &Operand,
    q: &Operand,
    r: &Operand,
    output: &[char],
) -> u128 {
    let between = kept(p, q, r, output);
    work(sizes, &[&p.labels, &q.labels]) + work(sizes, &[&between, &r.labels])
}

fn apply(graph: &mut Graph, c: Chain) {
    let between = kept(&c.first, &c.second, &c.third, &c.output);
    let name = graph.nodes[c.outer].name.clone();
    let shape = between.iter().map(|l| c.sizes[l]).collect();
    let intermediate = graph.add_value(
        &format!("{name}/regrouped_output"),
        TensorType::new(DataType::Float, shape),
    );
    let equation = |p: &[char], q: &[char], out: &[char]| {
        let word = |l: &[char]| l.iter().collect::<String>();
        format!("{},{}->{}", word(p), word(q), word(out))
    };
    let first = equation(&c.first.labels, &c.second.labels, &between);
    let attrs = [("equation", Attribute::String(first))];
    let inputs = [c.first.tensor, c.second.tensor];
    graph.add_op(
        &format!("{name}/regrouped"),
        "Einsum",
        &attrs,
        &inputs,
        intermediate,
    );
    let output = graph.nodes[c.outer].outputs[0];
    let last = equation(&between, &c.third.labels, &c.output);
    let attrs = [("equation", Attribute::String(last))];
    graph.remove_node(c.outer);
    graph.remove_node(c.inner);
    graph.add_op(
        &name,
        "Einsum",
        &attrs,
        &[intermediate, c.third.tensor],
        output,
    );
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::Attribute;

    use crate::testing::{op_types, Builder};

    fn einsum(b: &mut Builder, equation: &str, inputs: &[usize]) -> usize {
        let attrs = [("equation", Attribute::String(equation.into()))];
        b.node_with("Einsum", &attrs, inputs)
    }

    fn equations(graph: &crate::ir::Graph) -> Vec<String> {
        let mut out: Vec<String> = (graph.nodes.node_weights())
            .filter_map(|n| match &n.op {
                onnx2wgsl_opset18::Op::Einsum(e) => Some(format!("{e:?}")),
                _ => None,
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn the_global_position_path_contracts_queries_first() {
        // y[b,h,v,n] = Σ_k q[b,h,k,n] Σ_m r[n,m,k,u] v[b,u,v,m]: the inner product is (b,n,k,v).
        let (b_, h, k, n, m, v) = (2, 8, 40, 256, 10, 40);
        let mut b = Builder::default();
        let q = b.input("q", &[b_, h, k, n]);
        let r = b.input("r", &[n, m, k, 1]);
        let vc = b.input("v", &[b_, 1, v, m]);
        let lambda = einsum(&mut b, "n m k u, b u v m -> b n k v", &[r, vc]);
        let y = einsum(&mut b, "b h k n, b n k v -> b h v n", &[q, lambda]);
        let graph = super::run(b.finish(&[y]));
        assert_eq!(op_types(&graph), ["Einsum", "Einsum"]);
        let last = graph.producer(y).unwrap();
        let between = graph.nodes[last].inputs[0].unwrap();
        // q·r keeps (b, h, n, m, u): no k, no v.
        assert_eq!(graph.tensor(between).ty.shape, [b_, h, n, m, 1]);
        assert_eq!(graph.nodes[last].inputs[1], Some(vc));
    }

    #[test]
    fn a_cheaper_order_as_written_is_kept() {
        // The content path: λ = Σ_m k·v is small (b,k,v), and q·k would be (b,h,n,m).
        let mut b = Builder::default();
        let q = b.input("q", &[2, 8, 40, 4096]);
        let keys = b.input("k", &[2, 1, 40, 4096]);
        let values = b.input("v", &[2, 1, 40, 4096]);
        let lambda = einsum(&mut b, "b u k m, b u v m -> b k v", &[keys, values]);
        let y = einsum(&mut b, "b h k n, b k v -> b h v n", &[q, lambda]);
        let before = b.finish(&[y]);
        let expected = equations(&before);
        let graph = super::run(before);
        assert_eq!(equations(&graph), expected);
    }

    #[test]
    fn an_inner_product_read_twice_is_left_alone() {
        let mut b = Builder::default();
        let q = b.input("q", &[2, 8, 40, 256]);
        let r = b.input("r", &[256, 10, 40, 1]);
        let vc = b.input("v", &[2, 1, 40, 10]);
        let lambda = einsum(&mut b, "n m k u, b u v m -> b n k v", &[r, vc]);
        let y = einsum(&mut b, "b h k n, b n k v -> b h v n", &[q, lambda]);
        let graph = super::run(b.finish(&[y, lambda]));
        assert_eq!(
            graph.nodes[graph.producer(y).unwrap()].inputs[1],
            Some(lambda)
        );
    }
}
