{#- How kernels declare a tensor's binding and reach its elements: through load_NAME(i) and, when
    writable, store_NAME(i, v), never by indexing it. `ty` is the WGSL type the elements are
    stored as; f16 elements are widened to f32 when loaded and rounded when stored, so kernels
    compute in f32 whatever the storage. `read` says how the kernel reads the tensor: "load"
    (load_NAME), "fetch" (fetch_NAME(i), an element as stored, for a kernel that holds it in a
    register before widening it) or "" (neither: it indexes the array itself, or only writes).

    A tensor larger than one storage binding (WebGPU's default is 128 MiB) is bound by the
    compiler as two regions: the first `split_at` 32-bit words at the tensor's own binding, the
    rest at binding `hi`, and load_NAME / store_NAME pick the part. `splits` lists the split
    bindings of this dispatch. -#}

{% macro declare(name, binding, ty, access, splits, split_at, read="load") -%}
{%- if ty == "f16" %}{% set value = "f32" %}{% set at = split_at * 2 %}{% else %}{% set value = ty %}{% set at = split_at %}{% endif %}
{%- if ty == value %}{% set wide = "" %}{% set narrow = "" %}{% else %}{% set wide = value %}{% set narrow = ty %}{% endif -%}
@group(0) @binding({{ binding }}) var<storage, {{ access }}> {{ name }}: array<{{ ty }}>;
{%- set hi = false %}
{%- for s in splits %}{% if s.binding == binding %}{% set_global hi = s.hi %}{% endif %}{% endfor %}
{%- if hi %}
@group(0) @binding({{ hi }}) var<storage, {{ access }}> {{ name }}_hi: array<{{ ty }}>;
{%- if read == "load" %}

fn load_{{ name }}(i: u32) -> {{ value }} {
    if i < {{ at }}u {
        return {{ self::convert(to=wide, x=name ~ "[i]") }};
    }
    return {{ self::convert(to=wide, x=name ~ "_hi[i - " ~ at ~ "u]") }};
}
{%- endif %}
{%- if read == "fetch" %}

fn fetch_{{ name }}(i: u32) -> {{ ty }} {
    if i < {{ at }}u {
        return {{ name }}[i];
    }
    return {{ name }}_hi[i - {{ at }}u];
}
{%- endif %}
{%- if access == "read_write" %}

fn store_{{ name }}(i: u32, v: {{ value }}) {
    if i < {{ at }}u {
        {{ name }}[i] = {{ self::convert(to=narrow, x="v") }};
    } else {
        {{ name }}_hi[i - {{ at }}u] = {{ self::convert(to=narrow, x="v") }};
    }
}
{%- endif %}
{%- else %}
{%- if read == "load" %}

fn load_{{ name }}(i: u32) -> {{ value }} {
    return {{ self::convert(to=wide, x=name ~ "[i]") }};
}
{%- endif %}
{%- if read == "fetch" %}

fn fetch_{{ name }}(i: u32) -> {{ ty }} {
    return {{ name }}[i];
}
{%- endif %}
{%- if access == "read_write" %}

fn store_{{ name }}(i: u32, v: {{ value }}) {
    {{ name }}[i] = {{ self::convert(to=narrow, x="v") }};
}
{%- endif %}
{%- endif %}
{%- endmacro declare %}

{#- `x` as WGSL type `to`, or as it is where `to` is empty. -#}
{% macro convert(to, x) -%}
{%- if to %}{{ to }}({{ x }}){% else %}{{ x }}{% endif -%}
{%- endmacro convert %}
