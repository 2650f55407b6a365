{#- The one way dbt reads bronze: `{{ bronze('files', 'customers') }}` in the bronze models.

    Bronze is the lake's parquet in the bronze contract's layout (<source>/<table>/load_id=*/)
    with the lineage columns _load_id, _row_id, _loaded_at and _source, whatever tool ingested
    it. How a warehouse reaches it is dispatched on the adapter: the default reads the dbt
    source, whose relation each warehouse defines its own way (DuckDB: `external_location` over
    the lake's files, set once for every source in dbt_project.yml from the tool catalog);
    a warehouse that loads bronze into tables first overrides `<adapter>__bronze`. -#}
{% macro bronze(source_name, table_name) -%}
    {{ return(adapter.dispatch('bronze')(source_name, table_name)) }}
{%- endmacro %}

{% macro default__bronze(source_name, table_name) -%}
    {{ return(source(source_name, table_name)) }}
{%- endmacro %}

{#- What runs before every dbt run to bring new bronze loads into the warehouse (an
    `on-run-start` hook where the tool catalog gives the warehouse one). Nothing by default:
    a warehouse that reads the lake in place needs no load step. -#}
{% macro load_bronze() -%}
    {{ return(adapter.dispatch('load_bronze')()) }}
{%- endmacro %}

{% macro default__load_bronze() -%}
{%- endmacro %}
