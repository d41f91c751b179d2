//! The inputs of a run, checked against the plan: a mismatch is an error naming the input, never a
//! silently wrong result.

use crate::device_tensor::Input;
use crate::plan::{Io, Region};
use crate::Error;

/// Where one input's bytes come from.
pub(crate) enum Source<'a> {
    Bytes(Vec<u8>),
    Buffer(&'a wgpu::Buffer),
}

/// Checks the host's inputs against the plan's (names, dtypes, shapes) and returns each input's
/// region and where its bytes come from.
pub(crate) fn bind_inputs<'a>(
    declared: &[Io],
    inputs: &[(&str, Input<'a>)],
) -> Result<Vec<(Region, Source<'a>)>, Error> {
    let is_declared = |name: &str| declared.iter().any(|io| io.name == name);
    if let Some((name, _)) = inputs.iter().find(|(name, _)| !is_declared(name)) {
        return Err(Error::UnknownInput(name.to_string()));
    }
    declared
        .iter()
        .map(|io| {
            let mut given = inputs.iter().filter(|(n, _)| *n == io.name);
            let (_, input) = given
                .next()
                .ok_or_else(|| Error::MissingInput(io.name.clone()))?;
            if given.next().is_some() {
                return Err(Error::DuplicateInput(io.name.clone()));
            }
            let (dtype, shape) = match input {
                Input::Host(t) => (t.dtype(), &t.shape),
                Input::Device(t) => (t.dtype, &t.shape),
            };
            if dtype != io.dtype {
                return Err(Error::InputDtype {
                    name: io.name.clone(),
                    expected: io.dtype,
                    found: dtype,
                });
            }
            if *shape != io.shape {
                return Err(Error::InputShape {
                    name: io.name.clone(),
                    expected: io.shape.clone(),
                    found: shape.clone(),
                });
            }
            let source = match input {
                Input::Host(t) => Source::Bytes(t.to_device_bytes(&io.name)?),
                Input::Device(t) => Source::Buffer(&t.buffer),
            };
            Ok((io.region, source))
        })
        .collect()
}
