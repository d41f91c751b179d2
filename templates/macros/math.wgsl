{#- The elementwise operations as WGSL expressions, shared by the elementwise kernels and by
    fused epilogues. `x`, `a` and `b` are expressions. -#}

{% macro unary(op, x) -%}
{%- if op == "relu" %}max({{ x }}, 0.0)
{%- elif op == "sigmoid" %}(1.0 / (1.0 + exp(-{{ x }})))
{%- elif op == "sin" %}sin({{ x }})
{%- elif op == "cos" %}cos({{ x }})
{%- elif op == "sqrt" %}sqrt({{ x }})
{%- elif op == "exp" %}exp({{ x }})
{%- elif op == "neg" %}(-{{ x }})
{%- elif op == "abs" %}abs({{ x }})
{%- elif op == "tanh" %}tanh({{ x }})
{%- elif op == "reciprocal" %}(1.0 / {{ x }})
{%- endif %}
{%- endmacro unary %}

{% macro binary(op, a, b) -%}
{%- if op == "add" %}({{ a }} + {{ b }})
{%- elif op == "sub" %}({{ a }} - {{ b }})
{%- elif op == "mul" %}({{ a }} * {{ b }})
{%- elif op == "div" %}({{ a }} / {{ b }})
{%- endif %}
{%- endmacro binary %}
