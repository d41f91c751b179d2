// y = {{ op }}(x), element by element over f32.
struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

fn apply(v: f32) -> f32 {
{%- if op == "relu" %}
    return max(v, 0.0);
{%- elif op == "sigmoid" %}
    return 1.0 / (1.0 + exp(-v));
{%- elif op == "sin" %}
    return sin(v);
{%- elif op == "cos" %}
    return cos(v);
{%- elif op == "sqrt" %}
    return sqrt(v);
{%- elif op == "exp" %}
    return exp(v);
{%- elif op == "neg" %}
    return -v;
{%- elif op == "abs" %}
    return abs(v);
{%- elif op == "tanh" %}
    return tanh(v);
{%- elif op == "reciprocal" %}
    return 1.0 / v;
{%- endif %}
}

@compute @workgroup_size({{ workgroup }})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * {{ workgroup }}u;
    if i >= p.n {
        return;
    }
    y[i] = apply(x[i]);
}
