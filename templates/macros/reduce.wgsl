{#- Reductions across one workgroup of `workgroup` invocations; `half` is the first power of two
    at or above half of it, where the tree starts (so any workgroup size works). -#}

{% macro functions(workgroup, half) -%}
var<workgroup> partial: array<f32, {{ workgroup }}>;

// Combines every invocation's `v` with `op` (0: sum, 1: maximum) and returns the result to all.
fn reduce(lid: u32, v: f32, op: u32) -> f32 {
    partial[lid] = v;
    workgroupBarrier();
    for (var s = {{ half }}u; s > 0u; s >>= 1u) {
        if lid < s && lid + s < {{ workgroup }}u {
            if op == 0u {
                partial[lid] += partial[lid + s];
            } else {
                partial[lid] = max(partial[lid], partial[lid + s]);
            }
        }
        workgroupBarrier();
    }
    let total = partial[0];
    // Nobody may overwrite `partial` before everyone has read the result.
    workgroupBarrier();
    return total;
}
{%- endmacro functions %}
