//! Everything that can go wrong between a plan bundle and its outputs. Bad plans, bad files, bad
//! inputs and GPU errors are all values of [`Error`]: the runtime never panics on them.

use crate::plan::DType;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // The plan itself.
    #[error("bad plan: {0}")]
    BadPlan(String),
    #[error("plan format version {found}, but this runtime reads version {expected}")]
    Version { found: u32, expected: u32 },
    #[error("{what}: {kind} index {index} is out of range (the plan has {count})")]
    IndexOutOfRange {
        what: String,
        kind: &'static str,
        index: u32,
        count: usize,
    },
    #[error(
        "{what}: bytes {offset}..{offset}+{size} are outside buffer {buffer} ({buffer_size} bytes)"
    )]
    RegionOutOfBounds {
        what: String,
        buffer: u32,
        offset: u64,
        size: u64,
        buffer_size: u64,
    },
    #[error("{what}: offset {offset} is not a multiple of 256")]
    MisalignedOffset { what: String, offset: u64 },
    #[error(
        "{what}: bytes {offset}..{offset}+{size} of buffer {buffer} are read before anything \
         writes them (no earlier dispatch, input or weight shard fills them)"
    )]
    Unwritten {
        what: String,
        buffer: u32,
        offset: u64,
        size: u64,
    },
    #[error("output `{name}`: no dispatch writes its bytes {offset}..{offset}+{size} of buffer {buffer}")]
    OutputNotWritten {
        name: String,
        buffer: u32,
        offset: u64,
        size: u64,
    },
    #[error(
        "{kind} file {file:?} is not a plain file name inside the bundle \
         (no folders, `..`, leading `.` or empty names)"
    )]
    BadFileName { kind: &'static str, file: String },
    #[error("{what}: {count} storage bindings, but the plan's limit is {limit}")]
    TooManyBindings {
        what: String,
        count: usize,
        limit: u32,
    },

    // The files of a bundle.
    #[error("the host has no file `{0}`")]
    MissingFile(String),
    #[error("`{file}` is corrupt: sha256 {actual}, the plan expects {expected}")]
    HashMismatch {
        file: String,
        expected: String,
        actual: String,
    },
    #[error("shard `{file}` has {actual} bytes, the plan expects {expected}")]
    ShardSize {
        file: String,
        expected: u64,
        actual: u64,
    },
    #[error("weight shards not loaded: {}", .0.join(", "))]
    ShardsMissing(Vec<String>),

    // The device.
    #[error("no GPU adapter: {0}")]
    NoAdapter(String),
    #[error("the device lacks {name}: the plan needs {needed}, the device offers {available}")]
    Limit {
        name: &'static str,
        needed: u64,
        available: u64,
    },
    #[error("the device lacks feature `{0}`")]
    MissingFeature(String),
    #[error("the plan's cooperative-matrix kernels need {0}")]
    CooperativeMatrix(String),
    #[error("the plan needs wgpu's experimental feature `{0}`, which the runtime does not enable")]
    ExperimentalFeature(String),
    #[error("the plan needs feature `{0}`, which WebGPU does not define")]
    UnknownFeature(String),
    #[error("could not create the device: {0}")]
    RequestDevice(String),

    // The inputs of a run.
    #[error("`{0}` is not an input of this plan")]
    UnknownInput(String),
    #[error("input `{0}` is missing")]
    MissingInput(String),
    #[error("input `{0}` is given twice")]
    DuplicateInput(String),
    #[error("input `{name}`: dtype {found:?}, the plan expects {expected:?}")]
    InputDtype {
        name: String,
        expected: DType,
        found: DType,
    },
    #[error("input `{name}`: shape {found:?}, the plan expects {expected:?}")]
    InputShape {
        name: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    #[error("input `{name}`: {found} values for a shape of {expected} elements")]
    InputLength {
        name: String,
        expected: usize,
        found: usize,
    },
    #[error("input `{name}`: int64 value {value} does not fit the device's int32")]
    Int64OutOfRange { name: String, value: i64 },

    // The GPU at work.
    #[error("shader `{file}` was rejected: {message}")]
    Shader { file: String, message: String },
    #[error("GPU error while {during}: {message}")]
    Gpu {
        during: &'static str,
        message: String,
    },
    #[error("reading outputs back failed: {0}")]
    Map(String),
}
