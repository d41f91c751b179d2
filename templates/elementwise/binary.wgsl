{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/math.wgsl" as math %}
// y = {{ op }}(a, b) over {{ ty }} tensors of rank {{ rank }}, with numpy broadcasting: a stride of 0
// repeats an operand along that axis.
struct Params {
    n: u32,
    a_offset: u32,
    b_offset: u32,
    _pad: u32,
    shape: array<vec4<u32>, 2>,
    a_strides: array<vec4<u32>, 2>,
    b_strides: array<vec4<u32>, 2>,
{{- epilogue::params(e=epilogue) }}
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<{{ ty }}>;
@group(0) @binding(2) var<storage, read> b: array<{{ ty }}>;
@group(0) @binding(3) var<storage, read_write> y: array<{{ ty }}>;
{{- epilogue::bindings(e=epilogue) }}

{{ epilogue::function(e=epilogue, ty=ty) }}

@compute @workgroup_size({{ workgroup }})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * {{ workgroup }}u;
    if i >= p.n {
        return;
    }
    var rest = i;
    var ia = p.a_offset;
    var ib = p.b_offset;
    for (var d = {{ rank }}u; d > 0u; d--) {
        let axis = d - 1u;
        let size = p.shape[axis >> 2u][axis & 3u];
        let coord = rest % size;
        rest /= size;
        ia += coord * p.a_strides[axis >> 2u][axis & 3u];
        ib += coord * p.b_strides[axis >> 2u][axis & 3u];
    }
    y[i] = epilogue({{ math::binary(op=op, a="a[ia]", b="b[ib]") }}, i);
}
