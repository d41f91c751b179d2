{% import "macros/index.wgsl" as index %}
{% import "macros/storage.wgsl" as storage %}
// Strided copy of {{ src_ty }} elements{% if src_ty != dst_ty %} to {{ dst_ty }}{% endif %} over a rank-{{ rank }} index space: transposes, slices (whose
// negative steps make source strides negative), expands and output materialization are all this,
// with different strides and offsets.
struct Params {
    n: u32,
    src_offset: i32,
    dst_offset: u32,
    _pad: u32,
    shape: array<vec4<u32>, 2>,
    src_strides: array<vec4<i32>, 2>,
    dst_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="src", binding=1, ty=src_ty, access="read", splits=splits, split_at=split_at) }}
{{ storage::declare(name="dst", binding=2, ty=dst_ty, access="read_write", splits=splits, split_at=split_at) }}

{{ index::main(workgroup=workgroup, count="p.n") }}
    var rest = i;
    var is = p.src_offset;
    var id = p.dst_offset;
{%- for axis in range(end=rank) | reverse %}
    {
        let size = p.shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        let coord = rest % size;
        rest /= size;
        is += i32(coord) * p.src_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        id += coord * p.dst_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
    }
{%- endfor %}
    store_dst(id, load_src(u32(is)));
}
