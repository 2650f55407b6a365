{#- round(numerator / denominator, scale), half away from zero on the exact quotient, NULL when
    the denominator is 0. The quotient goes through decimal(38,12) before rounding because some
    warehouses (DuckDB) divide decimals in floating point: rounding a float such as 5.00499999...
    would lose the half-up rule that the ground truth (Python Decimal, ROUND_HALF_UP) applies. -#}
{% macro round_ratio(numerator, denominator, scale) -%}
    {{ return(adapter.dispatch('round_ratio')(numerator, denominator, scale)) }}
{%- endmacro %}

{% macro default__round_ratio(numerator, denominator, scale) -%}
    round(
        cast(
            cast({{ numerator }} as decimal(38, 12)) / nullif({{ denominator }}, 0)
            as decimal(38, 12)
        ),
        {{ scale }}
    )
{%- endmacro %}
