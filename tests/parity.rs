//! Parity with onnxruntime: every fixture with references is built, run on the default adapter
//! (lavapipe in CI) and compared output by output.

use std::path::Path;

use onnx2wgsl::target::{Precision, Target};
use onnx2wgsl_runtime::HostTensor;
use onnx2wgsl_tests::model::{float, int, Dim, Model};
use onnx2wgsl_tests::{
    build, build_for, dims, fixtures, reference, relative_error, run, write_inputs,
};

/// max |Δ| / max |ref| allowed for float32 outputs; integer outputs must match exactly.
const TOLERANCE: f64 = 1e-4;

/// The same for plans that store floats as f16 (`--precision f16`), whose outputs must also be
/// free of infinities and NaNs.
const F16_TOLERANCE: f64 = 1e-2;

fn check(name: &str) {
    check_for(name, Target::default());
}

fn check_for(name: &str, target: Target) {
    let tolerance = match target.precision {
        Precision::F32 => TOLERANCE,
        Precision::F16 => F16_TOLERANCE,
    };
    let dir = fixtures().join(name);
    let bundle = build_for(&dir.join("model.onnx"), dims(&dir), target)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let outputs = run(&bundle, &dir);
    assert_eq!(outputs.len(), bundle.plan.outputs.len());
    for (output, got) in &outputs {
        let want = reference(&dir.join("outputs").join(format!("{output}.npy")), got);
        let error = relative_error(got, &want);
        println!("{name}/{output}: max |Δ| / max |ref| = {error:.3e}");
        let limit = match &got.data {
            onnx2wgsl_runtime::TensorData::F32(values) => {
                if target.precision == Precision::F16 {
                    let bad = values.iter().filter(|v| !v.is_finite()).count();
                    assert_eq!(bad, 0, "{name}/{output}: {bad} values are not finite");
                }
                tolerance
            }
            _ => 0.0,
        };
        assert!(
            error <= limit,
            "{name}/{output}: error {error:.3e} exceeds {limit:.0e}"
        );
    }
}

#[test]
fn every_fixture_has_a_test() {
    let tested = [
        "tiny_cnn",
        "tiny_mlp_attention",
        "dynamic_batch",
        "two_io",
        "int_input",
        "external_data",
        "norm_ops",
        "einsum_ops",
        "einsum_chain",
        "large_conv",
        "data_ops",
        "new_user",
    ];
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if Path::new(&path).join("model.onnx").exists() {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                tested.contains(&name.as_str()),
                "fixture {name} has no parity test"
            );
        }
    }
}

#[test]
fn tiny_cnn() {
    check("tiny_cnn");
}

#[test]
fn tiny_mlp_attention() {
    check("tiny_mlp_attention");
}

#[test]
fn dynamic_batch() {
    check("dynamic_batch");
}

#[test]
fn two_io() {
    check("two_io");
}

#[test]
fn int_input() {
    check("int_input");
}

#[test]
fn external_data() {
    check("external_data");
}

#[test]
fn einsum_ops() {
    check("einsum_ops");
}

#[test]
fn einsum_chain() {
    check("einsum_chain");
}

#[test]
fn norm_ops() {
    check("norm_ops");
}

/// Again on a target with 96-invocation workgroups (not a power of two, for the reductions) and
/// at most 8 workgroups per dimension, so that the grids fold into y (60 runs of one element
/// become 8 × 8 workgroups, 4 of them idle).
#[test]
fn norm_ops_odd_target() {
    let mut target = Target::default();
    target.limits.max_compute_invocations_per_workgroup = 96;
    // Small enough that the 60 one-element runs of GroupNorm(20, 20) fold into a 2-D grid, large
    // enough for the 140,000 elements of the chunked InstanceNormalization (40 × 40 × 96).
    target.limits.max_compute_workgroups_per_dimension = 40;
    check_for("norm_ops", target);
}

#[test]
fn data_ops() {
    check("data_ops");
}

/// A user's PyTorch export: Split of the qkv projection, Pow folded into the attention scale.
#[test]
fn new_user() {
    check("new_user");
}

/// Pow where WGSL's pow is undefined (negative bases, zero) must give C's and numpy's results,
/// both as a kernel of its own and fused after an Add.
#[test]
fn pow_special_values() {
    let a = [
        -2.0,
        -2.0,
        -2.0,
        -0.0,
        0.0,
        0.0,
        0.0,
        f32::NAN,
        1.0,
        4.0,
        -8.0,
        2.5,
        f32::NEG_INFINITY,
        f32::INFINITY,
        1e-3,
        -1.5,
    ];
    let b = [
        3.0,
        2.0,
        0.5,
        -3.0,
        2.0,
        -1.0,
        0.0,
        0.0,
        f32::NAN,
        0.5,
        1.0 / 3.0,
        -2.2,
        3.0,
        -1.0,
        2.0,
        -3.0,
    ];
    let c = [
        0.0, 0.0, 0.0, -0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0,
    ];
    let n = a.len();
    let dir = tempfile::tempdir().unwrap();
    let shape = [Dim::Size(n as i64)];
    let model = Model::default()
        .input("a", &shape)
        .input("b", &shape)
        .input("c", &shape)
        .node("Pow", "pow", &["a", "b"], &["y"])
        .node("Add", "add", &["a", "c"], &["s"])
        .node("Pow", "fused_pow", &["s", "b"], &["z"])
        .output("y")
        .output("z")
        .write(dir.path(), "model.onnx");
    let tensors = [("a", &a), ("b", &b), ("c", &c)]
        .map(|(name, values)| (name, HostTensor::f32([n], values.to_vec())));
    write_inputs(dir.path(), &tensors);
    let bundle = build(&model, Default::default()).unwrap();
    // The Pow after the Add is its epilogue: two dispatches.
    assert_eq!(bundle.plan.dispatches.len(), 2);
    let outputs = run(&bundle, dir.path());
    let pow = |x: f32, y: f32| (x as f64).powf(y as f64) as f32;
    for (output, base) in [("y", a), ("z", std::array::from_fn(|i| a[i] + c[i]))] {
        let got = &outputs.iter().find(|(name, _)| name == output).unwrap().1;
        for (i, &got) in got.as_f32().unwrap().iter().enumerate() {
            let want = pow(base[i], b[i]);
            let close = (got.is_nan() && want.is_nan())
                || got == want
                || (got - want).abs() <= 1e-5 * want.abs();
            // pow(-0, -3) is -inf: the sign of zero counts.
            let same_sign = got.is_nan() || got.is_sign_negative() == want.is_sign_negative();
            assert!(
                close && same_sign,
                "{output}[{i}]: pow({}, {}) = {got}, expected {want}",
                base[i],
                b[i]
            );
        }
    }
}

/// LeakyRelu as a kernel of its own (the default alpha) and fused after an Add (alpha 0.2).
#[test]
fn leaky_relu_alone_and_fused() {
    let a = [-3.0, -0.5, -0.0, 0.0, 0.25, 2.0, f32::NAN, -1e30];
    let c = [1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0];
    let n = a.len();
    let dir = tempfile::tempdir().unwrap();
    let shape = [Dim::Size(n as i64)];
    let model = Model::default()
        .input("a", &shape)
        .input("c", &shape)
        .node("LeakyRelu", "leaky", &["a"], &["y"])
        .node("Add", "add", &["a", "c"], &["s"])
        .node_with(
            "LeakyRelu",
            "fused",
            &["s"],
            &["z"],
            vec![float("alpha", 0.2)],
        )
        .output("y")
        .output("z")
        .write(dir.path(), "model.onnx");
    let tensors =
        [("a", &a), ("c", &c)].map(|(name, values)| (name, HostTensor::f32([n], values.to_vec())));
    write_inputs(dir.path(), &tensors);
    let bundle = build(&model, Default::default()).unwrap();
    // The LeakyRelu after the Add is its epilogue: two dispatches.
    assert_eq!(bundle.plan.dispatches.len(), 2);
    let outputs = run(&bundle, dir.path());
    let sum = std::array::from_fn::<f32, 8, _>(|i| a[i] + c[i]);
    for (output, x, alpha) in [("y", a, 0.01f32), ("z", sum, 0.2)] {
        let got = &outputs.iter().find(|(name, _)| name == output).unwrap().1;
        for (i, &got) in got.as_f32().unwrap().iter().enumerate() {
            let want = if x[i] >= 0.0 { x[i] } else { alpha * x[i] };
            let same = got == want || (got.is_nan() && want.is_nan());
            assert!(
                same,
                "{output}[{i}]: LeakyRelu({}) = {got}, expected {want}",
                x[i]
            );
        }
    }
}

/// An f16 plan keeps a timestep embedding's Sin and Cos argument in f32 also when it is the fused
/// result of two Muls (diffusers scales timestep × frequency by a constant): the first Mul's
/// kernel stores it as f32 for Sin and Cos to read, and reads the frequencies as f32.
#[test]
fn f16_plan_keeps_a_fused_sin_cos_argument_in_f32() {
    let (t, freq, scale) = ([999.0f32, 500.0], [1.0f32, 0.31, 0.097, 0.03], 1.0f32);
    let dir = tempfile::tempdir().unwrap();
    let model = Model::default()
        .input("t", &[Dim::Size(2), Dim::Size(1)])
        .floats("freq", &[1, 4], freq.to_vec())
        .floats("scale", &[1], vec![scale])
        .node("Mul", "times", &["t", "freq"], &["tf"])
        .node("Mul", "scaled", &["tf", "scale"], &["arg"])
        .node("Sin", "sin", &["arg"], &["s"])
        .node("Cos", "cos", &["arg"], &["c"])
        .node_with(
            "Concat",
            "embedding",
            &["s", "c"],
            &["y"],
            vec![int("axis", 1)],
        )
        .output("y")
        .write(dir.path(), "model.onnx");
    write_inputs(dir.path(), &[("t", HostTensor::f32([2, 1], t.to_vec()))]);
    let f16 = Target::default().with_precision(Precision::F16);
    let bundle = build_for(&model, Default::default(), f16).unwrap();
    let outputs = run(&bundle, dir.path());
    let got = outputs[0].1.as_f32().unwrap();
    for (i, &got) in got.iter().enumerate() {
        let arg = f64::from(t[i / 8] * freq[i % 4] * scale);
        let want = if i % 8 < 4 { arg.sin() } else { arg.cos() };
        // Sin and Cos are stored as f16: within 2^-11.
        assert!(
            (f64::from(got) - want).abs() < 1e-3,
            "y[{i}] = {got}, expected {want}"
        );
    }
}

/// An f16 plan's f32 input and output may each be larger than one binding where its own f16
/// tensors are not: the conversions bind them in two parts.
#[test]
fn f16_plan_converts_inputs_and_outputs_larger_than_a_binding() {
    let n = 128 * 128;
    let x: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin() * 8.0).collect();
    let dir = tempfile::tempdir().unwrap();
    let shape = [Dim::Size(1), Dim::Size(1), Dim::Size(128), Dim::Size(128)];
    let model = Model::default()
        .input("x", &shape)
        .node("Relu", "relu", &["x"], &["y"])
        .output("y")
        .write(dir.path(), "model.onnx");
    write_inputs(
        dir.path(),
        &[("x", HostTensor::f32([1, 1, 128, 128], x.clone()))],
    );
    let mut target = Target::default().with_precision(Precision::F16);
    // x and y as f32 take 64 KiB; as f16, 32 KiB.
    target.limits.max_storage_buffer_binding_size = 32 << 10;
    let bundle = build_for(&model, Default::default(), target).unwrap();
    let outputs = run(&bundle, dir.path());
    let got = outputs[0].1.as_f32().unwrap();
    for (i, (&got, &x)) in got.iter().zip(&x).enumerate() {
        let want = x.max(0.0);
        assert!(
            (got - want).abs() <= want * 1e-3,
            "y[{i}] = {got}, expected {want}"
        );
    }
}

/// A shader cannot raise, so Gather clamps ids that are out of range even after wrapping.
#[test]
fn data_ops_clamps_out_of_range_ids() {
    let fixture = fixtures().join("data_ops");
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("inputs");
    std::fs::create_dir(&inputs).unwrap();
    for entry in std::fs::read_dir(fixture.join("inputs")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, inputs.join(path.file_name().unwrap())).unwrap();
    }
    // The table has 50 rows: 1000 reads row 49 (like id 49), -1000 row 0 (like ids 0 and -50).
    let ids = vec![0, 1000, 49, -1, 3, -50, -1000, 12, -8, 25];
    let ids = HostTensor::i64([2, 5], ids);
    onnx2wgsl::execute::write_output(&inputs, "input_ids", &ids).unwrap();
    let bundle = build(&fixture.join("model.onnx"), Default::default()).unwrap();
    let outputs = run(&bundle, dir.path());
    let e = outputs.iter().find(|(name, _)| name == "e").unwrap();
    let row = |k: usize| &e.1.as_f32().unwrap()[k * 8..(k + 1) * 8];
    assert_eq!(row(1), row(2));
    assert_eq!(row(6), row(0));
    assert_eq!(row(6), row(5));
    assert_ne!(row(0), row(2));
}

#[test]
fn moebius_tiny_unet() {
    check("moebius_tiny/unet");
}

#[test]
fn moebius_tiny_vae_encoder() {
    check("moebius_tiny/vae_encoder");
}

#[test]
fn moebius_tiny_vae_decoder() {
    check("moebius_tiny/vae_decoder");
}

/// On a target whose workgroups are too small for the tiled kernel, every convolution runs on the
/// direct one, including those with a nearest ×2 upsampling folded in (its three `up` stages).
#[test]
fn moebius_tiny_vae_decoder_direct_convolutions() {
    let mut target = Target::default();
    target.limits.max_compute_invocations_per_workgroup = 128;
    check_for("moebius_tiny/vae_decoder", target);
}

/// The tiny VAE at scale: a binding limit of 8 channels × 64² floats stands in for WebGPU's
/// 128 MiB at 128 channels × 512², so the tensors that exceed it in the full-size graphs (the
/// encoder's Pad output, the decoder's 256-channel 512² stage) exceed it here too and must be
/// bound in two parts.
fn scaled_down_webgpu() -> Target {
    let mut target = Target::default();
    target.limits.max_storage_buffer_binding_size = 8 * 64 * 64 * 4;
    target.limits.max_buffer_size = 2 * 8 * 64 * 64 * 4;
    target
}

#[test]
fn moebius_tiny_vae_encoder_split_bindings() {
    check_for("moebius_tiny/vae_encoder", scaled_down_webgpu());
}

#[test]
fn moebius_tiny_vae_decoder_split_bindings() {
    check_for("moebius_tiny/vae_decoder", scaled_down_webgpu());
}

/// f16 plans of every fixture with float outputs: each kernel family reads and writes f16 and
/// computes in f32, and the plan converts its f32 inputs and outputs.
#[test]
fn f16_plans() {
    let fixtures = [
        "tiny_cnn",
        "tiny_mlp_attention",
        "two_io",
        "norm_ops",
        "einsum_ops",
        "einsum_chain",
        "data_ops",
        "large_conv",
        "moebius_tiny/unet",
        "moebius_tiny/vae_encoder",
        "moebius_tiny/vae_decoder",
    ];
    for name in fixtures {
        check_for(name, Target::default().with_precision(Precision::F16));
    }
}

/// An f16 plan binds tensors larger than one binding in two parts too, split at twice as many
/// elements as f32 ones: the binding limit is halved so that the same tensors exceed it.
#[test]
fn f16_plan_split_bindings() {
    let mut target = scaled_down_webgpu().with_precision(Precision::F16);
    target.limits.max_storage_buffer_binding_size /= 2;
    target.limits.max_buffer_size /= 2;
    check_for("moebius_tiny/vae_decoder", target);
}

/// Enough output pixels for the tiled convolution's large tiles (the small ones are covered by
/// every other convolution in the fixtures).
#[test]
fn large_conv() {
    check("large_conv");
}

/// The tiled products read their operands through strides and cover partial tiles: Gemm with both
/// operands transposed, scaled, plus a broadcast bias, and a batched MatMul, at sizes that are no
/// multiple of the 64×64 tile or the 16-deep step, against products computed here in f64.
#[test]
fn tiled_products_read_transposed_operands_and_partial_tiles() {
    let (m, k, n, batches) = (70usize, 40usize, 66usize, 2usize);
    let values = |count: usize, seed: f32| -> Vec<f32> {
        (0..count).map(|i| (i as f32 * 0.37 + seed).sin()).collect()
    };
    let size = |d: usize| Dim::Size(d as i64);
    let dir = tempfile::tempdir().unwrap();
    let model = Model::default()
        .input("at", &[size(k), size(m)])
        .input("bt", &[size(n), size(k)])
        .input("c", &[size(n)])
        .input("x", &[size(batches), size(m), size(k)])
        .input("w", &[size(batches), size(k), size(n)])
        .node_with(
            "Gemm",
            "gemm",
            &["at", "bt", "c"],
            &["g"],
            vec![
                int("transA", 1),
                int("transB", 1),
                float("alpha", 0.5),
                float("beta", 2.0),
            ],
        )
        .node("MatMul", "matmul", &["x", "w"], &["p"])
        .output("g")
        .output("p")
        .write(dir.path(), "model.onnx");
    let at = values(k * m, 0.1);
    let bt = values(n * k, 0.2);
    let c = values(n, 0.3);
    let x = values(batches * m * k, 0.4);
    let w = values(batches * k * n, 0.5);
    let tensors = [
        ("at", vec![k, m], &at),
        ("bt", vec![n, k], &bt),
        ("c", vec![n], &c),
        ("x", vec![batches, m, k], &x),
        ("w", vec![batches, k, n], &w),
    ];
    write_inputs(
        dir.path(),
        &tensors.map(|(name, shape, data)| (name, HostTensor::f32(shape, data.clone()))),
    );
    let bundle = build(&model, Default::default()).unwrap();
    let shaders: Vec<&str> = (bundle.plan.dispatches.iter())
        .map(|d| bundle.plan.shaders[d.shader as usize].file.as_str())
        .collect();
    assert!(
        shaders.iter().all(|s| s.starts_with("matmul_tiled")),
        "{shaders:?}"
    );
    let outputs = run(&bundle, dir.path());
    let dot = |a: &dyn Fn(usize) -> f32, b: &dyn Fn(usize) -> f32| -> f64 {
        (0..k).map(|j| a(j) as f64 * b(j) as f64).sum()
    };
    let gemm: Vec<f64> = (0..m * n)
        .map(|e| {
            let (i, j) = (e / n, e % n);
            0.5 * dot(&|l| at[l * m + i], &|l| bt[j * k + l]) + 2.0 * c[j] as f64
        })
        .collect();
    let product: Vec<f64> = (0..batches * m * n)
        .map(|e| {
            let (b, i, j) = (e / (m * n), e / n % m, e % n);
            dot(&|l| x[(b * m + i) * k + l], &|l| w[(b * k + l) * n + j])
        })
        .collect();
    for (output, want) in [("g", gemm), ("p", product)] {
        let got = &outputs.iter().find(|(name, _)| name == output).unwrap().1;
        let got = got.as_f32().unwrap();
        let largest = want.iter().fold(0f64, |a, &v| a.max(v.abs()));
        let worst = (got.iter().zip(&want)).fold(0f64, |a, (&g, &w)| a.max((g as f64 - w).abs()));
        println!(
            "tiled {output}: max |Δ| / max |ref| = {:.3e}",
            worst / largest
        );
        assert!(worst / largest < 1e-5, "{output}: {:.3e}", worst / largest);
    }
}
