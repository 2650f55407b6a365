-- Silver files.campaigns: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='campaign_id', incremental_strategy='merge') }}
{{ silver_stg('files', 'campaigns') }}
