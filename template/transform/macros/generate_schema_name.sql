{#- Custom schema names are used as they are (bronze, silver, gold, ...) instead of dbt's default
    "<target schema>_<custom schema>". A mart's models go to the schema named after their folder
    (models/marts/finance/ -> finance), so adding a mart folder adds its schema, and
    dbt_project.yml never lists the marts. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is not none -%}
        {{ custom_schema_name | trim }}
    {%- elif node.resource_type == 'model' and node.fqn | length > 3 and node.fqn[1] == 'marts' -%}
        {{ node.fqn[2] }}
    {%- else -%}
        {{ target.schema }}
    {%- endif -%}
{%- endmacro %}
