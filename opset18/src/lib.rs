//! ONNX opset-18 operator semantics, independent of any GPU: each operator parses and checks its
//! attributes (with the spec's defaults), infers output types and shapes, and evaluates itself on
//! the CPU when its inputs are constant (for build-time folding).

mod attributes;
mod error;
mod op;
pub mod ops;
mod tensor;

pub use attributes::{Attribute, Attributes};
pub use error::OpError;
pub use op::{Op, Value, FOLD_BUDGET};
pub use tensor::{onnx_type_name, DataType, Tensor, TensorType};
