{#- Deduplicates a relation (or CTE): keeps the latest version of each key by updated_at,
    ties broken by the newest dlt load and then the dlt row id (deterministic). Adds no columns
    to the selected ones except `_version_rank`, which callers leave out. -#}
{% macro latest_per_key(relation, key_column, updated_at='updated_at') -%}
    select *
    from (
        select
            versions.*,
            row_number() over (
                partition by {{ key_column }}
                order by {{ updated_at }} desc, _dlt_load_id desc, _dlt_id desc
            ) as _version_rank
        from {{ relation }} as versions
    ) as ranked
    where _version_rank = 1
{%- endmacro %}
