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
    /// What the module declares, for [`Shader::check_kernel`].
    interface: Interface,
}

/// The bindings a module declares, as naga reads them.
struct Interface {
    /// Bytes of the uniform block at binding 0, if there is one.
    uniform_bytes: Option<u32>,
    /// Storage binding numbers, in increasing order.
    storage: Vec<u32>,
}

impl Interface {
    fn of(module: &naga::Module) -> Interface {
        let mut uniform_bytes = None;
        let mut storage = Vec::new();
        for (_, var) in module.global_variables.iter() {
            match (var.space, &var.binding) {
                (naga::AddressSpace::Uniform, Some(b)) if b.binding == 0 => {
                    uniform_bytes = Some(module.types[var.ty].inner.size(module.to_ctx()));
                }
                (naga::AddressSpace::Storage { .. }, Some(b)) => storage.push(b.binding),
                _ => {}
            }
        }
        storage.sort_unstable();
        Interface {
            uniform_bytes,
            storage,
        }
    }
}

impl Shader {
    /// The contract between a kernel's Rust side and its template, checked against what naga
    /// parsed: the words the kernel writes fill the uniform block (up to its 16-byte padding), and
    /// every storage binding the dispatch binds is one the shader declares. A mismatch is a
    /// compiler bug, reported here rather than as a wrong result or a GPU validation error.
    pub fn check_kernel(&self, params: usize, bindings: usize) -> Result<(), String> {
        let words = (params * 4) as u32;
        match self.interface.uniform_bytes {
            None if words > 0 => {
                return Err(format!(
                    "{} has no uniform block for {params} words",
                    self.file
                ))
            }
            Some(bytes) if words.next_multiple_of(16) != bytes.next_multiple_of(16) => {
                return Err(format!(
                    "{}: the uniform block has {bytes} bytes, the kernel writes {params} words",
                    self.file
                ))
            }
            _ => {}
        }
        let declared = &self.interface.storage;
        if let Some(missing) = (1..=bindings as u32).find(|b| !declared.contains(b)) {
            return Err(format!(
                "{}: the dispatch binds {bindings} storage buffers, the shader declares none at \
                 binding {missing} (it declares {declared:?})",
                self.file
            ));
        }
        Ok(())
    }
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
        let mut source = render(template, context).map_err(|message| CompileError::Shader {
            nodes: label.to_string(),
            message,
        })?;
        if context.get("float").and_then(|f| f.as_str()) == Some("f16") {
            source.insert_str(0, F16_DIRECTIVE);
        }
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
            interface: Interface::of(&module),
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

/// Opens every module of an f16 plan: WGSL needs it before any f16 type appears.
const F16_DIRECTIVE: &str = "enable f16;\n\n";

/// Opens the modules of cooperative-matrix kernels, which also use subgroup built-ins (naga
/// takes those without a directive).
const COOPERATIVE_DIRECTIVE: &str = "enable wgpu_cooperative_matrix;\n";

/// Parses and validates a module with the capabilities every WebGPU implementation has, and f16,
/// subgroups and cooperative matrices where the module enables them (a plan that does records
/// the features it needs).
pub fn validate(source: &str) -> Result<naga::Module, String> {
    use naga::valid::Capabilities;
    let module = naga::front::wgsl::parse_str(source).map_err(|e| e.emit_to_string(source))?;
    let mut capabilities = Capabilities::empty();
    if source.starts_with(F16_DIRECTIVE) {
        capabilities |= Capabilities::SHADER_FLOAT16;
    }
    if source.contains(COOPERATIVE_DIRECTIVE) {
        capabilities |= Capabilities::SUBGROUP | Capabilities::COOPERATIVE_MATRIX;
    }
    naga::valid::Validator::new(naga::valid::ValidationFlags::all(), capabilities)
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

#[cfg(test)]
mod contract_tests {
    use super::*;

    fn shader(source: &str) -> Shader {
        let module = validate(source).expect("valid WGSL");
        Shader {
            file: "test.wgsl".to_owned(),
            source: source.to_owned(),
            sha256: String::new(),
            writes: written_bindings(&module),
            interface: Interface::of(&module),
        }
    }

    #[test]
    fn kernels_must_fill_the_uniform_block_and_bind_only_declared_buffers() {
        let s = shader(
            "struct Params { n: u32, a: u32, b: u32, c: u32 }
             @group(0) @binding(0) var<uniform> p: Params;
             @group(0) @binding(1) var<storage, read> x: array<f32>;
             @group(0) @binding(2) var<storage, read_write> y: array<f32>;
             @compute @workgroup_size(64)
             fn main(@builtin(global_invocation_id) id: vec3<u32>) {
                 if id.x < p.n { y[id.x] = x[id.x]; }
             }",
        );
        assert_eq!(s.check_kernel(4, 2), Ok(()));
        assert_eq!(
            s.check_kernel(3, 2),
            Ok(()),
            "padding to 16 bytes is allowed"
        );
        assert_eq!(
            s.check_kernel(5, 2).unwrap_err(),
            "test.wgsl: the uniform block has 16 bytes, the kernel writes 5 words"
        );
        assert!(s
            .check_kernel(4, 3)
            .unwrap_err()
            .contains("none at binding 3"));
        assert!(
            s.check_kernel(0, 2).is_err(),
            "a declared uniform must be filled"
        );
    }
}
