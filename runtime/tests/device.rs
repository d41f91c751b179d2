//! Outputs kept on the device and bound as inputs of the next run: only what is read back leaves it.

mod common;

use common::{Bundle, WEIGHTS};
use onnx2wgsl_runtime::plan::DType;
use onnx2wgsl_runtime::{DeviceTensor, Error, HostTensor, Input, Session};
use pollster::block_on;

#[test]
fn a_run_takes_the_outputs_of_the_last_one_from_the_device() {
    let session = Bundle::new().loaded_session();
    let x = HostTensor::f32([2, 2], vec![1.0, 2.0, 3.0, 4.0]);
    let ids = HostTensor::i64([3], vec![0, -7, 41]);
    let first = block_on(session.run_on_device(&[("x", (&x).into()), ("ids", (&ids).into())]))
        .expect("first run");
    let (y, out) = (&first[0].1, &first[1].1);
    assert_eq!(
        (y.dtype, y.shape.as_slice(), y.size()),
        (DType::F32, &[2, 2][..], 16)
    );

    // y has x's shape and out has ids' dtype and shape: feed them back.
    let second =
        block_on(session.run_on_device(&[("x", Input::Device(y)), ("ids", Input::Device(out))]))
            .expect("second run");
    let y2 = block_on(second[0].1.read()).unwrap();
    let out2 = block_on(second[1].1.read()).unwrap();
    let expected: Vec<f32> = [1.0f32, 2.0, 3.0, 4.0]
        .iter()
        .zip(WEIGHTS)
        .map(|(x, w)| ((x + 1.0) * w + 1.0) * w)
        .collect();
    assert_eq!(y2, HostTensor::f32([2, 2], expected));
    assert_eq!(out2, HostTensor::i64([3], vec![2, -5, 43]));
    // The first run's tensors are untouched by the second.
    assert_eq!(
        block_on(out.read()).unwrap(),
        HostTensor::i64([3], vec![1, -6, 42])
    );
}

#[test]
fn an_uploaded_tensor_binds_like_an_output() {
    let bundle = Bundle::new();
    let gpu = common::gpu(&bundle.plan);
    let shaders = |file: &str| bundle.shaders.get(file).cloned();
    let mut session = block_on(Session::new(&gpu, bundle.plan.clone(), shaders)).unwrap();
    block_on(session.load_shard(0, &bundle.shard)).unwrap();
    let x = HostTensor::f32([2, 2], vec![0.0, 1.0, 2.0, 3.0]);
    let x_on_device = block_on(DeviceTensor::upload(&gpu.device, &gpu.queue, "x", &x)).unwrap();
    assert_eq!(block_on(x_on_device.read()).unwrap(), x);
    let ids = HostTensor::i64([3], vec![5, 6, 7]);
    let outputs =
        block_on(session.run_on_device(&[("x", (&x_on_device).into()), ("ids", (&ids).into())]))
            .unwrap();
    let y = block_on(outputs[0].1.read()).unwrap();
    let expected: Vec<f32> = [0.0f32, 1.0, 2.0, 3.0]
        .iter()
        .zip(WEIGHTS)
        .map(|(x, w)| (x + 1.0) * w)
        .collect();
    assert_eq!(y, HostTensor::f32([2, 2], expected));
}

#[test]
fn a_device_input_of_the_wrong_dtype_or_shape_is_named() {
    let session = Bundle::new().loaded_session();
    let x = HostTensor::f32([2, 2], vec![0.0; 4]);
    let ids = HostTensor::i64([3], vec![0; 3]);
    let outputs =
        block_on(session.run_on_device(&[("x", (&x).into()), ("ids", (&ids).into())])).unwrap();
    let out = &outputs[1].1;
    let error =
        block_on(session.run_on_device(&[("x", Input::Device(out)), ("ids", (&ids).into())]))
            .unwrap_err();
    assert!(matches!(error, Error::InputDtype { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "input `x`: dtype I64, the plan expects F32"
    );
}
