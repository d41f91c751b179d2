//! `AttributeProto` to the opset crate's [`Attribute`].

use onnx2wgsl_opset18::{Attribute, Attributes, OpError};

use super::tensor::{tensor_from_proto, ExternalData};
use crate::proto::attribute_proto::AttributeType;
use crate::proto::AttributeProto;

pub fn convert(protos: &[AttributeProto], external: &ExternalData) -> Result<Attributes, OpError> {
    let mut out = Attributes::default();
    for proto in protos {
        let name = proto.name().to_string();
        let bad = |reason: String| OpError::Attribute {
            name: name.clone(),
            reason,
        };
        if proto.ref_attr_name.is_some() {
            return Err(bad(
                "references a function attribute, which is not supported".into(),
            ));
        }
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).map_err(|_| bad("not UTF-8".into()));
        let value = match proto.r#type() {
            AttributeType::Float => Attribute::Float(proto.f()),
            AttributeType::Int => Attribute::Int(proto.i()),
            AttributeType::String => Attribute::String(text(proto.s())?),
            AttributeType::Tensor => {
                let tensor = proto
                    .t
                    .as_ref()
                    .ok_or_else(|| bad("tensor value missing".into()))?;
                Attribute::Tensor(tensor_from_proto(tensor, external).map_err(bad)?)
            }
            AttributeType::Floats => Attribute::Floats(proto.floats.clone()),
            AttributeType::Ints => Attribute::Ints(proto.ints.clone()),
            AttributeType::Strings => Attribute::Strings(
                proto
                    .strings
                    .iter()
                    .map(|s| text(s))
                    .collect::<Result<_, _>>()?,
            ),
            other => {
                return Err(bad(format!(
                    "attributes of type {other:?} are not supported"
                )))
            }
        };
        out.0.insert(name, value);
    }
    Ok(out)
}
