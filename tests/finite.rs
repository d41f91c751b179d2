//! `onnx2wgsl run --check-finite` (`onnx2wgsl::finite`): every float each dispatch stores is read
//! back, as f16 or f32 as its shader declares it, and the first dispatch to store an infinity or
//! NaN is named, even where the outputs no longer show one.

use onnx2wgsl::finite::{check, Finite};
use onnx2wgsl::target::{Precision, Target};
use onnx2wgsl_runtime::HostTensor;
use onnx2wgsl_tests::build_for;
use onnx2wgsl_tests::model::{Dim, Model};

/// x·60000, a softmax, ·2: the product overflows f16 storage (±65,504) for x = 2, and the
/// softmax after it reads an infinity.
fn overflowing(precision: Precision, x: f32) -> Finite {
    let dir = tempfile::tempdir().unwrap();
    let shape = [Dim::Size(1), Dim::Size(4)];
    let model = Model::default()
        .input("x", &shape)
        .floats("big", &[1], vec![60000.0])
        .floats("two", &[1], vec![2.0])
        .node("Mul", "scale", &["x", "big"], &["s"])
        .node("Softmax", "softmax", &["s"], &["p"])
        .node("Mul", "double", &["p", "two"], &["y"])
        .output("y")
        .write(dir.path(), "model.onnx");
    let target = Target::default().with_precision(precision);
    let bundle = build_for(&model, Default::default(), target).unwrap();
    let plan_dir = tempfile::tempdir().unwrap();
    bundle.write(plan_dir.path()).unwrap();
    let input = HostTensor::f32([1, 4], vec![x, 0.5, 0.0, -0.25]);
    pollster::block_on(async {
        let session = onnx2wgsl::execute::load(plan_dir.path()).await.unwrap();
        check(&session, plan_dir.path(), &[("x", input)])
            .await
            .unwrap()
    })
}

#[test]
fn the_first_dispatch_to_store_an_infinity_is_named() {
    let finite = overflowing(Precision::F16, 2.0);
    let (_, label, count) = finite.first_bad.expect("120000 exceeds f16");
    assert_eq!((label.as_str(), count), ("scale", 1));
}

#[test]
fn values_that_fit_are_finite_with_their_largest_magnitude() {
    let f16 = overflowing(Precision::F16, 1.0);
    assert_eq!(f16.first_bad, None);
    assert_eq!(f16.half.largest, 60000.0);
    assert_eq!(
        f16.half.at.as_ref().map(|(_, label)| label.as_str()),
        Some("scale")
    );
    // An f32 plan holds 120000 without trouble, and stores no f16.
    let f32 = overflowing(Precision::F32, 2.0);
    assert_eq!(f32.first_bad, None);
    assert_eq!((f32.half.values, f32.single.largest), (0, 120000.0));
}
