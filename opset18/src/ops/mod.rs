//! One module per operator (or family of operators), plus helpers they share.

pub mod batch_normalization;
pub mod binary;
pub mod broadcast;
pub mod cast;
pub mod common;
pub mod concat;
pub mod constant;
pub mod constant_of_shape;
pub mod conv;
pub mod einsum;
pub mod equal;
pub mod expand;
pub mod flatten;
pub mod gather;
pub mod gemm;
pub mod identity;
pub mod instance_normalization;
pub mod layer_normalization;
pub mod matmul;
pub mod pad;
pub mod reshape;
pub mod resize;
pub mod select;
pub mod shape;
pub mod slice;
pub mod softmax;
pub mod split;
pub mod squeeze;
pub mod transpose;
pub mod unary;
pub mod unsqueeze;

pub use common::normalize_axis;
