{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/math.wgsl" as math %}
// y = {{ op }}(x), element by element over f32{% if epilogue %}, then the fused epilogue{% endif %}.
struct Params {
    n: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
{{- epilogue::params(e=epilogue) }}
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
{{- epilogue::bindings(e=epilogue) }}

{{ epilogue::function(e=epilogue, ty="f32") }}

@compute @workgroup_size({{ workgroup }})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * {{ workgroup }}u;
    if i >= p.n {
        return;
    }
    let v = x[i];
    y[i] = epilogue({{ math::unary(op=op, x="v") }}, i);
}
