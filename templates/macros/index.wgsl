{#- Index arithmetic shared by the one-invocation-per-element kernels. -#}

{#- The entry point up to the element index `i`: grids wider than 65,535 workgroups fold into y,
    and invocations past `count` elements return. The caller closes the function. -#}
{% macro main(workgroup, count) -%}
@compute @workgroup_size({{ workgroup }})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * {{ workgroup }}u;
    if i >= {{ count }} {
        return;
    }
{%- endmacro main %}

{#- The entry point of a kernel with one workgroup per run, up to the run's index `name` and the
    invocation's `lid` within its workgroup; workgroups past `count` runs return. The caller
    closes the function. -#}
{% macro per_workgroup(workgroup, name, count) -%}
@compute @workgroup_size({{ workgroup }})
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let {{ name }} = wid.x + wid.y * groups.x;
    if {{ name }} >= {{ count }} {
        return;
    }
{%- endmacro per_workgroup %}

{#- Splits `index` into coordinates of the rank-`rank` shape `p.SHAPE` (array<vec4<u32>, 2>) and
    adds coordinate × stride to each offset variable `vars[k]`, whose strides are `p.strides[k]`. -#}
{% macro walk(rank, index, shape, vars, strides) -%}
    var rest = {{ index }};
{%- for axis in range(end=rank) | reverse %}
    {
        let coord = rest % p.{{ shape }}[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        rest /= p.{{ shape }}[{{ axis }}u >> 2u][{{ axis }}u & 3u];
{%- for v in vars %}
        {{ v }} += coord * p.{{ strides[loop.index0] }}[{{ axis }}u >> 2u][{{ axis }}u & 3u];
{%- endfor %}
    }
{%- endfor %}
{%- endmacro walk %}
