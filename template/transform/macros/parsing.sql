{#- Portable parsing of raw (text) values. Each returns NULL for a value it cannot parse, so
    silver can tell a missing value (raw NULL) from a malformed one (raw set, parsed NULL). -#}

{#- A timestamp without time zone holding UTC wall-clock time. ISO-8601 text with "Z", with an
    offset ("2026-03-01T12:00:00+02:00", converted to UTC) or without a zone (taken as UTC);
    impossible dates ("2026-02-31T10:00:00Z") and junk ("not-a-date") give NULL. -#}
{% macro parse_utc_timestamp(value) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp')(value)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(value) -%}
    {{ try_cast_value(value, dbt.type_timestamp()) }}
{%- endmacro %}

{#- DuckDB: text is parsed as TIMESTAMPTZ, which honours offsets (a TIMESTAMP cast would drop
    them); zone-less text is read in the session time zone, which profiles.yml pins to UTC. The
    instant becomes UTC wall-clock time through epoch microseconds (3x faster than timezone()). -#}
{% macro duckdb__parse_utc_timestamp(value) -%}
    make_timestamp(epoch_us(try_cast(cast({{ value }} as {{ dbt.type_string() }}) as timestamptz)))
{%- endmacro %}

{#- A calendar date from ISO text ("2026-03-01"); NULL when unparseable. -#}
{% macro parse_date(value) -%}
    {{ try_cast_value(value, 'date') }}
{%- endmacro %}

{#- cast(value as type), NULL instead of an error when the value does not convert. dbt's own
    safe_cast is a plain cast on adapters without an override (DuckDB among them). -#}
{% macro try_cast_value(value, type) -%}
    {{ return(adapter.dispatch('try_cast_value')(value, type)) }}
{%- endmacro %}

{% macro default__try_cast_value(value, type) -%}
    {{ dbt.safe_cast(value, type) | trim }}
{%- endmacro %}

{% macro duckdb__try_cast_value(value, type) -%}
    try_cast({{ value }} as {{ type }})
{%- endmacro %}

{#- A plausible e-mail address: something@something.something, one "@", no spaces. -#}
{% macro is_valid_email(value) -%}
    ({{ value }} like '_%@_%._%' and {{ value }} not like '%@%@%' and {{ value }} not like '% %')
{%- endmacro %}
