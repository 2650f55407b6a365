{#- Whether this dbt invocation may query the warehouse while it compiles: not while dbt
    parses, nor in `dbt compile --no-introspect` (the offline compile of a cloud warehouse's SQL,
    which has no connection). Macros that look up relations or run queries to shape their SQL
    ask this instead of `execute` alone. -#}
{% macro can_introspect() -%}
    {{ return(execute and flags.INTROSPECT) }}
{%- endmacro %}

{#- dbt's is_incremental(), except where nothing can be looked up (see can_introspect), or
    where the warehouse's tables cannot merge (merges_incrementally): there a model compiles as
    its first, full build. -#}
{% macro is_incremental() -%}
    {{ return(can_introspect() and dbt.is_incremental() and merges_incrementally()) }}
{%- endmacro %}

{#- Whether an incremental model's table can merge new rows in (true but where a warehouse's
    macros say otherwise: the Spark twin's plain parquet tables, macros/spark.sql). -#}
{% macro merges_incrementally() -%}
    {{ return(adapter.dispatch('merges_incrementally')()) }}
{%- endmacro %}

{% macro default__merges_incrementally() -%}
    {{ return(true) }}
{%- endmacro %}
