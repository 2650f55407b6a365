-- Silver files.web_sessions: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='session_id', incremental_strategy='merge') }}
{{ silver_stg('files', 'web_sessions') }}
