//! Split becomes one Slice per output, so that each part is a view of the input where its readers
//! follow strides (the qkv projection split into queries, keys and values costs no copy), and a
//! copy otherwise, like any Slice.

use onnx2wgsl_opset18::{Op, Tensor};

use crate::ir::Graph;

pub fn run(mut graph: Graph) -> Graph {
    let splits: Vec<_> = (graph.nodes.node_indices())
        .filter(|&n| matches!(graph.nodes[n].op, Op::Split(_)))
        .collect();
    for index in splits {
        let node = graph.nodes[index].clone();
        let Op::Split(split) = &node.op else {
            unreachable!("filtered above")
        };
        let (axis, parts) = split
            .resolve(&graph.values(&node.inputs))
            .expect("decoding inferred the split");
        let data = node.inputs[0].expect("Split has its input");
        graph.remove_node(index);
        let ints = |v: usize| Tensor::from_i64(vec![1], &[v as i64]);
        // Decoding refuses a Split with unnamed outputs, so the outputs and parts line up.
        for (k, (&output, part)) in node.outputs.iter().zip(&parts).enumerate() {
            let starts = graph.add_constant("split start", ints(part.start));
            let ends = graph.add_constant("split end", ints(part.start + part.len));
            let axes = graph.add_constant("split axis", ints(axis));
            let name = format!("{} part {k}", node.name);
            graph.add_op(&name, "Slice", &[], &[data, starts, ends, axes], output);
        }
    }
    graph.rewire();
    graph
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::ops::slice::Slice;
    use onnx2wgsl_opset18::{Attribute, Attributes, Op};

    use crate::ir::Node;
    use crate::testing::{op_types, Builder};

    #[test]
    fn each_part_becomes_a_slice() {
        let mut b = Builder::default();
        let x = b.input("x", &[2, 7]);
        let attrs = Attributes(
            [
                ("axis".to_string(), Attribute::Int(-1)),
                ("num_outputs".to_string(), Attribute::Int(2)),
            ]
            .into(),
        );
        let op = Op::parse_node("Split", 18, &attrs, 2).unwrap();
        let types = op.infer(&b.graph.values(&[Some(x)])).unwrap();
        let parts: Vec<_> = (types.into_iter().enumerate())
            .map(|(k, ty)| b.graph.add_value(&format!("part{k}"), ty))
            .collect();
        b.graph.add_node(Node {
            name: "split".into(),
            op_type: "Split".into(),
            op,
            inputs: vec![Some(x)],
            outputs: parts.clone(),
            epilogue: None,
            view: false,
            upsampled: false,
        });
        let y = b.node("Relu", &[parts[1]]);
        let graph = super::run(b.finish(&[parts[0], y]));
        let mut ops = op_types(&graph);
        ops.sort();
        assert_eq!(ops, ["Relu", "Slice", "Slice"]);
        let ranges: Vec<_> = parts
            .iter()
            .map(|&p| {
                let node = &graph.nodes[graph.producer(p).unwrap()];
                let range = Slice::resolve(&graph.values(&node.inputs)).unwrap()[1];
                (range.start, range.len)
            })
            .collect();
        // ceil(7 / 2) = 4, then the 3 left.
        assert_eq!(ranges, [(0, 4), (4, 3)]);
        let relu = graph.producer(y).unwrap();
        assert_eq!(graph.nodes[relu].inputs, [Some(parts[1])]);
        assert_eq!(graph.consumers(parts[1]), [relu]);
    }
}
