use thiserror::Error;

/// Why an operator rejected its attributes or inputs. The compiler adds the node's name and op type.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum OpError {
    #[error("operator {0} is not supported")]
    Unsupported(String),
    #[error("attribute `{name}`: {reason}")]
    Attribute { name: String, reason: String },
    #[error("missing required attribute `{0}`")]
    MissingAttribute(String),
    #[error("{0}")]
    Invalid(String),
    #[error("input {index} must be a build-time constant ({what})")]
    NeedsConstant { index: usize, what: &'static str },
    #[error("cannot be evaluated at build time")]
    NotEvaluable,
}

/// Shorthand for `OpError::Invalid` with a formatted message.
#[macro_export]
macro_rules! invalid {
    ($($arg:tt)*) => { $crate::OpError::Invalid(format!($($arg)*)) };
}
