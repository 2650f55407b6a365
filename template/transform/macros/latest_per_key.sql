{#- Deduplicates a relation (or CTE): keeps the latest version of each key by updated_at, ties
    broken by the newest dlt load, so the survivor is the same whatever order the rows arrived
    in (a full refresh and incremental runs agree). Rows still tied are copies of one record
    (a repeated line, an API page overlap): any of them will do, and silver does not keep the
    per-row _row_id (it costs more to store than the rest of a row; quarantine keeps it).
    key_columns: a column name or a list of them. Adds `_version_rank`, which callers leave out. -#}
{% macro latest_per_key(relation, key_columns, updated_at='updated_at') -%}
    {%- set keys = [key_columns] if key_columns is string else key_columns -%}
    select *
    from (
        select
            versions.*,
            row_number() over (
                partition by {{ keys | join(', ') }}
                order by {{ updated_at }} desc, _load_id desc
            ) as _version_rank
        from {{ relation }} as versions
    ) as ranked
    where _version_rank = 1
{%- endmacro %}
