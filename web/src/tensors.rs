//! Tensors between JavaScript and the runtime: `{ data: TypedArray, shape: number[] }` objects in,
//! the same (with `dtype`) out. Every mismatch names the input, what was expected and what came.

use js_sys::{Array, BigInt64Array, Float32Array, Int32Array, Object, Reflect, Uint8Array};
use onnx2wgsl_runtime::plan::{DType, Io};
use onnx2wgsl_runtime::{Error, HostTensor, TensorData};
use wasm_bindgen::prelude::*;

pub(crate) fn dtype_name(dtype: DType) -> &'static str {
    match dtype {
        DType::F32 => "f32",
        DType::I32 => "i32",
        DType::I64 => "i64",
        DType::Bool => "bool",
    }
}

fn get(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or_default()
}

fn set(object: &Object, name: &str, value: &JsValue) {
    Reflect::set(object, &JsValue::from_str(name), value).expect("a plain object");
}

/// `[{ name, dtype, shape }]`, for `session.inputs` and `session.outputs`.
pub(crate) fn describe(ios: &[Io]) -> Array {
    ios.iter()
        .map(|io| {
            let info = Object::new();
            set(&info, "name", &io.name.as_str().into());
            set(&info, "dtype", &dtype_name(io.dtype).into());
            set(&info, "shape", &shape_array(&io.shape));
            JsValue::from(info)
        })
        .collect()
}

fn shape_array(shape: &[usize]) -> JsValue {
    shape
        .iter()
        .map(|&d| JsValue::from(d as f64))
        .collect::<Array>()
        .into()
}

/// What a JavaScript value is, for messages: its constructor's name or its `typeof`.
fn kind(value: &JsValue) -> String {
    let constructor = get(value, "constructor");
    match get(&constructor, "name").as_string() {
        Some(name) if value.is_object() => name,
        _ => value.js_typeof().as_string().unwrap_or_default(),
    }
}

/// The run's inputs, converted by the dtypes the plan declares. Names, shapes and lengths are
/// then checked by the runtime, as for native hosts.
pub(crate) fn host_inputs<'a>(
    declared: &'a [Io],
    inputs: &JsValue,
) -> Result<Vec<(&'a str, HostTensor)>, JsError> {
    if !inputs.is_object() {
        return Err(JsError::new(&format!(
            "run: inputs must be an object of {{ data, shape }} by input name, got {}",
            kind(inputs)
        )));
    }
    let mut tensors = Vec::new();
    for entry in Object::entries(inputs.unchecked_ref()) {
        let entry: Array = entry.unchecked_into();
        let name = entry.get(0).as_string().unwrap_or_default();
        let io = (declared.iter().find(|io| io.name == name)).ok_or(Error::UnknownInput(name))?;
        tensors.push((io.name.as_str(), host_tensor(io, &entry.get(1))?));
    }
    Ok(tensors)
}

fn host_tensor(io: &Io, tensor: &JsValue) -> Result<HostTensor, JsError> {
    let name = &io.name;
    let shape = get(tensor, "shape");
    if !Array::is_array(&shape) {
        return Err(JsError::new(&format!(
            "input `{name}`: shape must be an array of sizes, got {}",
            kind(&shape)
        )));
    }
    let shape = Array::from(&shape)
        .iter()
        .map(|d| match d.as_f64() {
            Some(d) if d >= 0.0 && d.fract() == 0.0 && d <= u32::MAX as f64 => Ok(d as usize),
            _ => Err(JsError::new(&format!(
                "input `{name}`: shape has {d:?}, not a size"
            ))),
        })
        .collect::<Result<Vec<usize>, JsError>>()?;
    let data = get(tensor, "data");
    let wrong = |expected: &str| {
        JsError::new(&format!(
            "input `{name}`: dtype {} needs {expected} data, got {}",
            dtype_name(io.dtype),
            kind(&data)
        ))
    };
    let data = match io.dtype {
        DType::F32 => TensorData::F32(
            (data.dyn_ref::<Float32Array>())
                .ok_or_else(|| wrong("Float32Array"))?
                .to_vec(),
        ),
        DType::I32 => TensorData::I32(
            (data.dyn_ref::<Int32Array>())
                .ok_or_else(|| wrong("Int32Array"))?
                .to_vec(),
        ),
        // The runtime narrows to the device's i32 and refuses values out of its range.
        DType::I64 => TensorData::I64(if let Some(big) = data.dyn_ref::<BigInt64Array>() {
            big.to_vec()
        } else if let Some(small) = data.dyn_ref::<Int32Array>() {
            small.to_vec().into_iter().map(i64::from).collect()
        } else {
            return Err(wrong("BigInt64Array or Int32Array"));
        }),
        DType::Bool => TensorData::Bool(
            (data.dyn_ref::<Uint8Array>())
                .ok_or_else(|| wrong("Uint8Array"))?
                .to_vec()
                .into_iter()
                .map(|b| b != 0)
                .collect(),
        ),
    };
    Ok(HostTensor { shape, data })
}

/// `{ name: { data, shape, dtype } }` in the plan's output order.
pub(crate) fn js_outputs(outputs: Vec<(String, HostTensor)>) -> JsValue {
    let object = Object::new();
    for (name, tensor) in outputs {
        let (data, dtype): (JsValue, DType) = match &tensor.data {
            TensorData::F32(v) => (Float32Array::from(&v[..]).into(), DType::F32),
            TensorData::I32(v) => (Int32Array::from(&v[..]).into(), DType::I32),
            TensorData::I64(v) => (BigInt64Array::from(&v[..]).into(), DType::I64),
            TensorData::Bool(v) => {
                let bytes: Vec<u8> = v.iter().map(|&b| u8::from(b)).collect();
                (Uint8Array::from(&bytes[..]).into(), DType::Bool)
            }
        };
        let output = Object::new();
        set(&output, "data", &data);
        set(&output, "shape", &shape_array(&tensor.shape));
        set(&output, "dtype", &dtype_name(dtype).into());
        set(&object, &name, &output.into());
    }
    object.into()
}
