-- Silver files.web_events: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='merge') }}
{{ silver_stg('files', 'web_events') }}
