{#- Storage for a tensor larger than one storage binding (WebGPU's default is 128 MiB). The
    compiler then binds it as two regions: the first `split_at` elements at the tensor's own
    binding, the rest at binding `hi`. Kernels read and write it through load_NAME / store_NAME,
    which pick the part. `splits` lists the split bindings of this dispatch. -#}

{% macro declare(name, binding, ty, access, splits, split_at) -%}
@group(0) @binding({{ binding }}) var<storage, {{ access }}> {{ name }}: array<{{ ty }}>;
{%- set hi = false %}
{%- for s in splits %}{% if s.binding == binding %}{% set_global hi = s.hi %}{% endif %}{% endfor %}
{%- if hi %}
@group(0) @binding({{ hi }}) var<storage, {{ access }}> {{ name }}_hi: array<{{ ty }}>;

fn load_{{ name }}(i: u32) -> {{ ty }} {
    if i < {{ split_at }}u {
        return {{ name }}[i];
    }
    return {{ name }}_hi[i - {{ split_at }}u];
}
{%- if access == "read_write" %}

fn store_{{ name }}(i: u32, v: {{ ty }}) {
    if i < {{ split_at }}u {
        {{ name }}[i] = v;
    } else {
        {{ name }}_hi[i - {{ split_at }}u] = v;
    }
}
{%- endif %}
{%- else %}

fn load_{{ name }}(i: u32) -> {{ ty }} {
    return {{ name }}[i];
}
{%- if access == "read_write" %}

fn store_{{ name }}(i: u32, v: {{ ty }}) {
    {{ name }}[i] = v;
}
{%- endif %}
{%- endif %}
{%- endmacro declare %}
