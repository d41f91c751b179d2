{#- Elementwise operations fused onto a kernel's output ("epilogue"). A kernel template imports
    this file, appends `params` to its Params struct and `bindings` after its own bindings, defines
    `function`, and for the element of its own result at linear index i stores
    `epilogue(value, o)` at `o = stored(i)`: the same index, unless fused transposes store the
    result in another order. Operands e0, e1, … are other tensors, read through an offset and
    strides over the stored shape, unless all of them are laid out like the stored result. -#}
{% import "macros/math.wgsl" as math %}
{% import "macros/storage.wgsl" as storage %}

{% macro params(e) -%}
{%- if e and e.broadcast %}
    epilogue_offsets: vec4<u32>,
    epilogue_shape: array<vec4<u32>, 2>,
{%- for operand in e.operands %}
    e{{ loop.index0 }}_strides: array<vec4<u32>, 2>,
{%- endfor %}
{%- endif %}
{%- if e and e.store_rank %}
    store_shape: array<vec4<u32>, 2>,
    store_strides: array<vec4<u32>, 2>,
{%- endif %}
{%- endmacro params %}

{#- `ty`: the WGSL type float tensors are stored as. -#}
{% macro bindings(e, ty) -%}
{%- if e %}
{%- for operand in e.operands %}
{{ storage::declare(name="e" ~ loop.index0, binding=e.first_binding + loop.index0, ty=ty, access="read", splits=[], split_at=0) }}
{%- endfor %}
{%- endif %}
{%- endmacro bindings %}

{#- `root` is the kernel's own elementwise operation, if any: with the epilogue's, it decides which
    helper functions the module needs. -#}
{% macro function(e, ty, root="") -%}
{%- set ops = [root] %}
{%- if e %}{% set ops = ops | concat(with=e.steps | map(attribute="op")) %}{% endif %}
{%- if "sin" in ops or "cos" in ops %}
{{ math::sine() }}

{% endif -%}
{%- if "pow" in ops %}
{{ math::power() }}

{% endif -%}
fn stored(i: u32) -> u32 {
{%- if e and e.store_rank %}
    var o = 0u;
    var rest = i;
{%- for axis in range(end=e.store_rank) | reverse %}
    {
        o += (rest % p.store_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u]) * p.store_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        rest /= p.store_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
    }
{%- endfor %}
    return o;
{%- else %}
    return i;
{%- endif %}
}

fn epilogue(base: {{ ty }}, i: u32) -> {{ ty }} {
{%- if e %}
{%- if e.broadcast %}
    var rest = i;
{%- for operand in e.operands %}
    var at{{ loop.index0 }} = p.epilogue_offsets[{{ loop.index0 }}];
{%- endfor %}
{%- for axis in range(end=e.rank) | reverse %}
    {
        let coord = rest % p.epilogue_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        rest /= p.epilogue_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
{%- for operand in e.operands %}
        at{{ loop.index0 }} += coord * p.e{{ loop.index0 }}_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
{%- endfor %}
    }
{%- endfor %}
{%- else %}
{%- for operand in e.operands %}
    let at{{ loop.index0 }} = i;
{%- endfor %}
{%- endif %}
{%- for step in e.steps %}
{%- if step.b %}
    let s{{ loop.index0 }} = {{ math::binary(op=step.op, a=step.a, b=step.b) }};
{%- else %}
    let s{{ loop.index0 }} = {{ math::unary(op=step.op, x=step.a, alpha=step.alpha) }};
{%- endif %}
{%- endfor %}
{%- if e.steps %}
    return s{{ e.steps | length - 1 }};
{%- else %}
    return base;
{%- endif %}
{%- else %}
    return base;
{%- endif %}
}
{%- endmacro function %}
