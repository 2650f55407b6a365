{#- Money: a decimal with two places (the cast rounds to the nearest cent). -#}
{% macro to_money(expression, precision=12) -%}
    cast({{ expression }} as decimal({{ precision }}, 2))
{%- endmacro %}
