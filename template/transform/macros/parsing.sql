{#- Portable parsing of raw (text) values. Each returns NULL for a value it cannot parse, so
    silver can tell a missing value (raw NULL) from a malformed one (raw set, parsed NULL). -#}

{#- A timestamp without time zone holding UTC wall-clock time. ISO-8601 text with "Z", with an
    offset ("2026-03-01T12:00:00+02:00", converted to UTC) or without a zone (taken as UTC);
    impossible dates ("2026-02-31T10:00:00Z") and junk ("not-a-date") give NULL. -#}
{% macro parse_utc_timestamp(value) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp')(value)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(value) -%}
    {{ dbt.safe_cast(value, dbt.type_timestamp()) }}
{%- endmacro %}

{#- DuckDB: TIMESTAMPTZ honours offsets (TIMESTAMP would drop them); zone-less text is read in
    the session time zone, which profiles.yml pins to UTC. -#}
{% macro duckdb__parse_utc_timestamp(value) -%}
    timezone('UTC', try_cast(cast({{ value }} as {{ dbt.type_string() }}) as timestamptz))
{%- endmacro %}

{#- A calendar date from ISO text ("2026-03-01"); NULL when unparseable. -#}
{% macro parse_date(value) -%}
    {{ dbt.safe_cast(value, 'date') }}
{%- endmacro %}

{#- A plausible e-mail address: something@something.something, one "@", no spaces. -#}
{% macro is_valid_email(value) -%}
    ({{ value }} like '_%@_%._%' and {{ value }} not like '%@%@%' and {{ value }} not like '% %')
{%- endmacro %}
