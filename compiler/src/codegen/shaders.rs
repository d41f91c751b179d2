//! Rendering, validation and deduplication of WGSL modules.

use std::sync::OnceLock;

use onnx2wgsl_runtime::sha256_hex;

use crate::CompileError;

include!(concat!(env!("OUT_DIR"), "/templates.rs"));

fn templates() -> &'static tera::Tera {
    static TERA: OnceLock<tera::Tera> = OnceLock::new();
    TERA.get_or_init(|| {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![]);
        tera.add_raw_templates(TEMPLATES.iter().copied())
            .expect("embedded templates parse");
        tera
    })
}

/// One distinct shader module.
pub struct Shader {
    pub file: String,
    pub source: String,
    pub sha256: String,
    /// WGSL binding numbers of the storage buffers the module declares `read_write`: what a
    /// dispatch of it writes, recorded in the plan for its def-before-use check.
    pub writes: Vec<u32>,
}

#[derive(Default)]
pub struct ShaderSet {
    pub shaders: Vec<Shader>,
}

impl ShaderSet {
    pub fn new() -> ShaderSet {
        ShaderSet::default()
    }

    /// Renders `template`, validates it, and returns the index of its (possibly shared) module.
    pub fn add(
        &mut self,
        template: &str,
        context: &tera::Context,
        label: &str,
    ) -> Result<u32, CompileError> {
        let source = render(template, context).map_err(|message| CompileError::Shader {
            nodes: label.to_string(),
            message,
        })?;
        let sha256 = sha256_hex(source.as_bytes());
        if let Some(i) = self.shaders.iter().position(|s| s.sha256 == sha256) {
            return Ok(i as u32);
        }
        let module = validate(&source).map_err(|message| CompileError::Shader {
            nodes: label.to_string(),
            message,
        })?;
        let stem = template.trim_end_matches(".wgsl").replace('/', "-");
        let file = format!("{stem}-{}.wgsl", &sha256[..12]);
        self.shaders.push(Shader {
            file,
            source,
            sha256,
            writes: written_bindings(&module),
        });
        Ok(self.shaders.len() as u32 - 1)
    }
}

pub fn render(template: &str, context: &tera::Context) -> Result<String, String> {
    templates().render(template, context).map_err(|e| {
        let mut message = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            message.push_str(&format!(": {c}"));
            cause = c.source();
        }
        message
    })
}

/// Parses and validates a module with the capabilities every WebGPU implementation has.
pub fn validate(source: &str) -> Result<naga::Module, String> {
    let module = naga::front::wgsl::parse_str(source).map_err(|e| e.emit_to_string(source))?;
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::empty(),
    )
    .validate(&module)
    .map_err(|e| e.emit_to_string(source))?;
    Ok(module)
}

/// The binding numbers of the module's writable storage buffers, in increasing order.
fn written_bindings(module: &naga::Module) -> Vec<u32> {
    let mut writes: Vec<u32> = (module.global_variables.iter())
        .filter_map(|(_, var)| match (var.space, &var.binding) {
            (naga::AddressSpace::Storage { access }, Some(binding))
                if access.contains(naga::StorageAccess::STORE) =>
            {
                Some(binding.binding)
            }
            _ => None,
        })
        .collect();
    writes.sort_unstable();
    writes
}
