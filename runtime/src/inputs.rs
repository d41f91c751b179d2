//! The inputs of a run, checked against the plan: a mismatch is an error naming the input, never a
//! silently wrong result.

use crate::plan::{Io, Region};
use crate::tensor::HostTensor;
use crate::Error;

/// Checks the host's inputs against the plan's (names, dtypes, shapes) and returns each input's
/// region and device bytes.
pub(crate) fn input_bytes(
    declared: &[Io],
    inputs: &[(&str, HostTensor)],
) -> Result<Vec<(Region, Vec<u8>)>, Error> {
    let is_declared = |name: &str| declared.iter().any(|io| io.name == name);
    if let Some((name, _)) = inputs.iter().find(|(name, _)| !is_declared(name)) {
        return Err(Error::UnknownInput(name.to_string()));
    }
    declared
        .iter()
        .map(|io| {
            let mut given = inputs.iter().filter(|(n, _)| *n == io.name);
            let (_, tensor) = given
                .next()
                .ok_or_else(|| Error::MissingInput(io.name.clone()))?;
            if given.next().is_some() {
                return Err(Error::DuplicateInput(io.name.clone()));
            }
            if tensor.dtype() != io.dtype {
                return Err(Error::InputDtype {
                    name: io.name.clone(),
                    expected: io.dtype,
                    found: tensor.dtype(),
                });
            }
            if tensor.shape != io.shape {
                return Err(Error::InputShape {
                    name: io.name.clone(),
                    expected: io.shape.clone(),
                    found: tensor.shape.clone(),
                });
            }
            Ok((io.region, tensor.to_device_bytes(&io.name)?))
        })
        .collect()
}
