-- Row accounting per bronze table: bronze_rows = silver_rows + quarantined_rows + duplicate_rows
-- (tested by tests/assert_row_accounting_balances.sql). Rebuilt on every run.
{%- set names = silver_tables().keys() | sort %}
with
{%- for name in names %}
accepted_{{ name }} as (
    {{ silver_accepted_keys(name) | indent(4) }}
),
{%- endfor %}

counts as (
{%- for name in names %}
    {{ silver_accounting_counts(name) | indent(4) }}
    {{- '\n    union all' if not loop.last }}
{%- endfor %}
)

select
    table_name,
    cast(bronze_rows as {{ dbt.type_bigint() }}) as bronze_rows,
    cast(silver_rows as {{ dbt.type_bigint() }}) as silver_rows,
    cast(quarantined_rows as {{ dbt.type_bigint() }}) as quarantined_rows,
    cast(duplicate_rows as {{ dbt.type_bigint() }}) as duplicate_rows
from counts
