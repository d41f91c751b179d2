//! `Session::profile` times every dispatch on the device (lavapipe in CI).

use std::collections::HashMap;

use onnx2wgsl_runtime::HostTensor;
use onnx2wgsl_tests::{build, fixtures};

#[test]
fn every_dispatch_gets_a_time() {
    let bundle = build(&fixtures().join("tiny_cnn/model.onnx"), HashMap::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    bundle.write(dir.path()).unwrap();
    let times = pollster::block_on(async {
        let session = onnx2wgsl::execute::load(dir.path()).await.unwrap();
        let input = HostTensor::f32([1, 3, 16, 16], vec![0.5; 3 * 256]);
        session.profile(&[("x", input)]).await
    });
    match times {
        Ok(times) => {
            assert_eq!(times.len(), bundle.plan.dispatches.len());
            assert!(
                times.iter().all(|t| t.is_finite() && *t >= 0.0),
                "{times:?}"
            );
            assert!(times.iter().any(|&t| t > 0.0), "{times:?}");
            let table = onnx2wgsl::inspect::profile_table(&bundle.plan, &times);
            let rows: Vec<&str> = table.lines().skip(1).collect();
            assert_eq!(rows.len(), times.len());
            assert!(rows[0].starts_with("0\tconv_gemm\t"), "{table}");
        }
        // Not every adapter offers timestamps; then the error must say so.
        Err(e) => assert!(e.to_string().contains("timestamp-query"), "{e}"),
    }
}
