-- Silver files.ad_spend: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key=['spend_date', 'campaign_id'], incremental_strategy='merge') }}
{{ silver_stg('files', 'ad_spend') }}
