use std::collections::BTreeMap;

use crate::{OpError, Tensor};

/// One ONNX attribute value.
#[derive(Clone, Debug, PartialEq)]
pub enum Attribute {
    Int(i64),
    Float(f32),
    String(String),
    Tensor(Tensor),
    Ints(Vec<i64>),
    Floats(Vec<f32>),
    Strings(Vec<String>),
}

impl Attribute {
    fn kind(&self) -> &'static str {
        match self {
            Attribute::Int(_) => "int",
            Attribute::Float(_) => "float",
            Attribute::String(_) => "string",
            Attribute::Tensor(_) => "tensor",
            Attribute::Ints(_) => "ints",
            Attribute::Floats(_) => "floats",
            Attribute::Strings(_) => "strings",
        }
    }
}

/// A node's attributes by name, with typed getters that apply the spec's defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attributes(pub BTreeMap<String, Attribute>);

impl Attributes {
    pub fn get(&self, name: &str) -> Option<&Attribute> {
        self.0.get(name)
    }

    fn wrong(name: &str, want: &str, got: &Attribute) -> OpError {
        OpError::Attribute {
            name: name.into(),
            reason: format!("expected {want}, got {}", got.kind()),
        }
    }

    pub fn int(&self, name: &str, default: i64) -> Result<i64, OpError> {
        Ok(self.opt_int(name)?.unwrap_or(default))
    }

    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, OpError> {
        match self.get(name) {
            None => Ok(None),
            Some(Attribute::Int(v)) => Ok(Some(*v)),
            Some(other) => Err(Self::wrong(name, "int", other)),
        }
    }

    pub fn float(&self, name: &str, default: f32) -> Result<f32, OpError> {
        match self.get(name) {
            None => Ok(default),
            Some(Attribute::Float(v)) => Ok(*v),
            Some(other) => Err(Self::wrong(name, "float", other)),
        }
    }

    pub fn string(&self, name: &str, default: &str) -> Result<String, OpError> {
        match self.get(name) {
            None => Ok(default.to_string()),
            Some(Attribute::String(v)) => Ok(v.clone()),
            Some(other) => Err(Self::wrong(name, "string", other)),
        }
    }

    pub fn opt_ints(&self, name: &str) -> Result<Option<Vec<i64>>, OpError> {
        match self.get(name) {
            None => Ok(None),
            Some(Attribute::Ints(v)) => Ok(Some(v.clone())),
            Some(other) => Err(Self::wrong(name, "ints", other)),
        }
    }

    pub fn opt_floats(&self, name: &str) -> Result<Option<Vec<f32>>, OpError> {
        match self.get(name) {
            None => Ok(None),
            Some(Attribute::Floats(v)) => Ok(Some(v.clone())),
            Some(other) => Err(Self::wrong(name, "floats", other)),
        }
    }

    pub fn opt_tensor(&self, name: &str) -> Result<Option<&Tensor>, OpError> {
        match self.get(name) {
            None => Ok(None),
            Some(Attribute::Tensor(t)) => Ok(Some(t)),
            Some(other) => Err(Self::wrong(name, "tensor", other)),
        }
    }

    /// Fails if any attribute is not in `known`: an attribute we ignore could change the result.
    pub fn only(&self, known: &[&str]) -> Result<(), OpError> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(OpError::Attribute {
                name: k.clone(),
                reason: "not supported".into(),
            }),
            None => Ok(()),
        }
    }
}
