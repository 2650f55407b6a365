{#- Silver, generated from silver_tables(): per bronze table `<source>__<table>`
    - silver_stg: the valid rows, typed, latest version per key, merged incrementally;
    - silver_quarantine: every bronze row that failed validation, raw values and dq_reason;
    - silver_accounting_counts: bronze = silver + quarantined + duplicates, each bucket counted
      from its own evidence. -#}

{% macro silver_spec(name) -%}
    {%- set tables = silver_tables() -%}
    {%- if name not in tables -%}
        {{ exceptions.raise_compiler_error("silver_tables() has no entry for " ~ name) }}
    {%- endif -%}
    {{ return(tables[name]) }}
{%- endmacro %}

{#- The columns of a bronze relation at run time: {lower-case name: is it text?}; empty while
    dbt parses (nothing exists yet) or compiles offline (see can_introspect). -#}
{% macro bronze_columns(relation) -%}
    {%- set columns = {} -%}
    {%- if can_introspect() -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do columns.update({column.name | lower: column.is_string()}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}

{#- Select list for `names` from a relation with `columns` (see bronze_columns): each column as
    it is, or a NULL when the relation lacks it (customers.loyalty_tier before the batch that
    adds it, or a column dlt has not seen a value of yet), so the models keep one shape across
    schema changes. -#}
{% macro columns_or_null(columns, names) -%}
    {%- for name in names -%}
        {%- if not can_introspect() or name in columns -%}
            {{ name }}
        {%- else -%}
            cast(null as {{ dbt.type_string() }}) as {{ name }}
        {%- endif -%}
        {{- ",\n        " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- Whether a raw value is there at all: not NULL and, for text, not ''. -#}
{% macro silver_present(columns, name) -%}
    {%- if can_introspect() and name in columns and not columns[name] -%}
        {{ name }} is not null
    {%- elif can_introspect() and name not in columns -%}
        false
    {%- else -%}
        ({{ name }} is not null and {{ name }} <> '')
    {%- endif -%}
{%- endmacro %}

{% macro silver_text(value) -%}
    nullif(trim(cast({{ value }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- The typed silver value of a raw column (NULL when it does not parse). -#}
{% macro silver_typed(column, value=none) -%}
    {%- set value = value or column.name -%}
    {%- set type = column.type -%}
    {%- if type in ['id', 'count'] -%}
        {{ try_cast_value(value, dbt.type_bigint()) }}
    {%- elif type == 'integer' -%}
        {{ try_cast_value(value, dbt.type_int()) }}
    {%- elif type == 'text' -%}
        {{ silver_text(value) }}
    {%- elif type in ['code', 'email'] -%}
        lower({{ silver_text(value) }})
    {%- elif type == 'upper_code' -%}
        upper({{ silver_text(value) }})
    {%- elif type == 'money' -%}
        {{ try_cast_value(value, 'decimal(12, 2)') }}
    {%- elif type == 'flag' -%}
        {{ try_cast_value(value, dbt.type_boolean()) }}
    {%- elif type == 'timestamp' -%}
        {{ parse_utc_timestamp(value) }}
    {%- elif type == 'date' -%}
        {{ parse_date(value) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("silver_tables(): unknown column type " ~ type) }}
    {%- endif -%}
{%- endmacro %}

{% macro silver_is_text(column) -%}
    {{ return(column.type in ['text', 'code', 'upper_code', 'email']) }}
{%- endmacro %}

{#- The bronze rows a run has to look at (all of them, or in an incremental run those of loads
    newer than the newest load in the model: loads only ever add rows to bronze), each parsed
    once: the raw value (raw__<column>), the typed value (<column>) and, for non-text columns,
    whether a raw value is there at all (present__<column>); then dq_reason, NULL for a valid
    row. The first failure wins: a missing required value, then a value that does not parse,
    then an invalid e-mail, then the column's business check. -#}
{% macro silver_checked_rows(name, spec) -%}
    {%- set bronze = ref(name) -%}
    {%- set columns = bronze_columns(bronze) -%}
with bronze_rows as (
    select
        {{ columns_or_null(columns, spec.columns | map(attribute='name') | list + ['_loaded_at']) }},
        _load_id,
        _row_id
    from {{ bronze }}
    {%- if is_incremental() %}
    where _load_id > (select coalesce(max(_load_id), '') from {{ this }})
    {%- endif %}
),

parsed as (
    select
        {%- for column in spec.columns %}
        {{ column.name }} as raw__{{ column.name }},
        {{ silver_typed(column) }} as {{ column.name }},
        {%- if not silver_is_text(column) %}
        {{ silver_present(columns, column.name) }} as present__{{ column.name }},
        {%- endif %}
        {%- endfor %}
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at,
        cast(_load_id as {{ dbt.type_string() }}) as _load_id,
        cast(_row_id as {{ dbt.type_string() }}) as _row_id
    from bronze_rows
),

checked as (
    select
        parsed.*,
        case
        {%- for column in spec.columns if not column.get('nullable') %}
            when {{ column.name if silver_is_text(column) else 'not present__' ~ column.name }}
                {{- ' is null' if silver_is_text(column) }} then 'missing_{{ column.name }}'
        {%- endfor %}
        {%- for column in spec.columns if not silver_is_text(column) %}
            when {{ column.name }} is null and present__{{ column.name }}
                then '{{ "invalid_timestamp" if column.type in ["timestamp", "date"] else "invalid_" ~ column.name }}'
        {%- endfor %}
        {%- for column in spec.columns if column.type == 'email' %}
            when {{ column.name }} is not null and not {{ is_valid_email(column.name) }}
                then 'invalid_email'
        {%- endfor %}
        {%- for column in spec.columns if column.get('check') %}
            when {{ column.name }} {{ '<= 0' if column.check == 'positive' else '< 0' }}
                then 'invalid_{{ column.name }}'
        {%- endfor %}
        end as dq_reason
    from parsed
)
{%- endmacro %}

{% macro silver_stg(source_name, table_name) -%}
    {%- set name = source_name ~ '__' ~ table_name -%}
    {%- set spec = silver_spec(name) -%}
    {%- set columns = spec.columns | map(attribute='name') | list + ['_loaded_at', '_load_id'] -%}
{{ silver_checked_rows(name, spec) }},

valid as (
    select {{ columns | join(', ') }}
    from checked
    where dq_reason is null
),

candidates as (
    select * from valid
    {%- if is_incremental() %}
    {#- The current version of every key this run touches competes with the new versions, so a
        late row with an older updated_at never replaces a newer one. #}
    union all
    select {{ columns | join(', ') }}
    from {{ this }} as current_rows
    where exists (
        select 1
        from valid
        where {% for key in spec.key %}valid.{{ key }} = current_rows.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
    )
    {%- endif %}
),

latest as (
    {{ latest_per_key('candidates', spec.key) | indent(4) }}
)

select
    {{ columns | join(',\n    ') }}
from latest
{%- endmacro %}

{% macro silver_quarantine(source_name, table_name) -%}
    {%- set name = source_name ~ '__' ~ table_name -%}
    {%- set spec = silver_spec(name) -%}
{{ silver_checked_rows(name, spec) }}

select
    dq_reason,
    {%- for column in spec.columns %}
    cast(raw__{{ column.name }} as {{ dbt.type_string() }}) as {{ column.name }},
    {%- endfor %}
    _loaded_at,
    _load_id,
    _row_id
from checked
where dq_reason is not null
{%- endmacro %}

{#- Whether a typed silver row meets its contract, written from silver_tables() on its own
    (not from the checks of silver_checked_rows): every required column present, every e-mail
    valid, every business check true. dq_row_accounting counts a silver row only on this
    evidence, so a row that validation lets through by mistake unbalances the accounting. -#}
{% macro silver_meets_contract(spec) -%}
    {%- set conditions = [] -%}
    {%- for column in spec.columns -%}
        {%- if not column.get('nullable') -%}
            {%- do conditions.append(column.name ~ ' is not null') -%}
        {%- endif -%}
        {%- if column.type == 'email' -%}
            {%- do conditions.append('(' ~ column.name ~ ' is null or ' ~ is_valid_email(column.name) ~ ')') -%}
        {%- endif -%}
        {%- if column.get('check') == 'positive' -%}
            {%- do conditions.append(column.name ~ ' > 0') -%}
        {%- elif column.get('check') == 'non_negative' -%}
            {%- do conditions.append(column.name ~ ' >= 0') -%}
        {%- elif column.get('check') -%}
            {{ exceptions.raise_compiler_error("silver_tables(): unknown check " ~ column.check) }}
        {%- endif -%}
    {%- endfor -%}
    {{ conditions | join(' and ') if conditions else 'true' }}
{%- endmacro %}

{#- One row of silver.dq_row_accounting, each bucket counted from its own evidence:
    - silver_rows: rows of stg_* that meet the contract (silver_meets_contract);
    - quarantined_rows: rows of quarantine_* that carry a reason and are bronze rows
      (same _load_id and _row_id);
    - duplicate_rows: bronze rows not quarantined that share their key with a silver row,
      less the silver rows themselves (exact copies and older versions).
    The identity bronze = silver + quarantined + duplicates then fails when a row that should
    be quarantined reaches silver (it leaves quarantine but does not count as silver), when a
    valid row is lost (its key is in neither bucket) and when silver holds a key no accepted
    bronze row has. -#}
{% macro silver_accounting_counts(name) -%}
    {%- set spec = silver_spec(name) -%}
    {%- set silver = ref('stg_' ~ name) -%}
    {%- set bronze = ref(name) -%}
    select
        '{{ name }}' as table_name,
        (select count(*) from {{ bronze }}) as bronze_rows,
        (
            select count(*)
            from {{ silver }}
            where {{ silver_meets_contract(spec) }}
        ) as silver_rows,
        (
            select count(*)
            from {{ ref('quarantine_' ~ name) }} as quarantined
            where quarantined.dq_reason is not null
                and exists (
                    select 1
                    from {{ bronze }} as bronze
                    where cast(bronze._load_id as {{ dbt.type_string() }}) = quarantined._load_id
                        and cast(bronze._row_id as {{ dbt.type_string() }}) = quarantined._row_id
                )
        ) as quarantined_rows,
        (
            select count(*)
            from accepted_{{ name }} as accepted
            where exists (
                select 1
                from {{ silver }} as current_rows
                where {% for key in spec.key %}current_rows.{{ key }} = accepted.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
            )
        ) - (select count(*) from {{ silver }}) as duplicate_rows
{%- endmacro %}

{% macro silver_accepted_keys(name) -%}
    {%- set spec = silver_spec(name) -%}
    select
        {%- for key in spec.key %}
        {{ silver_typed(spec.columns | selectattr('name', 'equalto', key) | first) }} as {{ key }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref(name) }} as bronze
    where not exists (
        select 1
        from {{ ref('quarantine_' ~ name) }} as quarantined
        where quarantined._load_id = cast(bronze._load_id as {{ dbt.type_string() }})
            and quarantined._row_id = cast(bronze._row_id as {{ dbt.type_string() }})
    )
{%- endmacro %}
