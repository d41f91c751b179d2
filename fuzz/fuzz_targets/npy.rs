#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onnx2wgsl_fuzz::npy(data, onnx2wgsl_fuzz::scratch()));
