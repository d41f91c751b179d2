#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onnx2wgsl_fuzz::plan(data));
