{#- The elementwise operations as WGSL expressions, shared by the elementwise kernels and by
    fused epilogues. `x`, `a` and `b` are expressions; `alpha` is a literal, for the operations
    that have that parameter. -#}

{% macro unary(op, x, alpha="") -%}
{%- if op == "relu" %}max({{ x }}, 0.0)
{%- elif op == "sigmoid" %}(1.0 / (1.0 + exp(-{{ x }})))
{%- elif op == "sin" %}sine({{ x }}, 0)
{%- elif op == "cos" %}sine({{ x }}, 1)
{%- elif op == "sqrt" %}sqrt({{ x }})
{%- elif op == "exp" %}exp({{ x }})
{%- elif op == "neg" %}(-{{ x }})
{%- elif op == "abs" %}abs({{ x }})
{%- elif op == "tanh" %}tanh({{ x }})
{%- elif op == "reciprocal" %}(1.0 / {{ x }})
{%- elif op == "leaky_relu" %}select({{ alpha }} * {{ x }}, {{ x }}, {{ x }} >= 0.0)
{%- endif %}
{%- endmacro unary %}

{% macro binary(op, a, b) -%}
{%- if op == "add" %}({{ a }} + {{ b }})
{%- elif op == "sub" %}({{ a }} - {{ b }})
{%- elif op == "mul" %}({{ a }} * {{ b }})
{%- elif op == "div" %}({{ a }} / {{ b }})
{%- elif op == "pow" %}power({{ a }}, {{ b }})
{%- endif %}
{%- endmacro binary %}

{#- `sine(x, 0)` is sin x, `sine(x, 1)` cos x, to about 1e-7 for |x| below 1e5. WGSL promises its
    sin and cos only to 2^-11 and only inside [-π, π] (SwiftShader's miss by 4e-4), while timestep
    embeddings take the sine of hundreds of radians. x = k·π/2 + r with π/2 in three parts
    (k·1.5703125 is exact), then minimax polynomials on |r| ≤ π/4 (Cephes' sinf and cosf). -#}
{% macro sine() -%}
fn sine(x: f32, quarter_turns: i32) -> f32 {
    let k = round(x * 0.63661977236758134);
    let r = ((x - k * 1.5703125) - k * 4.8375129699707031e-4) - k * 7.5497899548918821e-8;
    let z = r * r;
    let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
    let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z
        - 0.5 * z + 1.0;
    let q = (i32(k) + quarter_turns) & 3;
    let v = select(s, c, (q & 1) == 1);
    return select(v, -v, q >= 2);
}
{%- endmacro sine %}

{#- `power(a, b)` is ONNX's Pow, C's pow: WGSL's pow is undefined for a < 0, and for a = 0 with
    b ≤ 0. a⁰ = 1 (NaN included) and 1ᵇ = 1; otherwise |a|ᵇ (0, or +∞ for a negative b, when
    a = ±0), negated when a is negative (−0 included) and b an odd integer, NaN when a is negative
    and b not an integer. -#}
{% macro power() -%}
fn power(a: f32, b: f32) -> f32 {
    if (b == 0.0 || a == 1.0) {
        return 1.0;
    }
    let m = abs(a);
    var r = m;
    if (m == 0.0) {
        r = select(m, 1.0 / m, b < 0.0);
    } else {
        r = pow(m, b);
    }
    if ((bitcast<u32>(a) >> 31u) == 1u) {
        if (floor(b) != b) {
            return bitcast<f32>(0x7fc00000u);
        }
        r = select(r, -r, b - 2.0 * floor(b * 0.5) == 1.0);
    }
    return r;
}
{%- endmacro power %}
