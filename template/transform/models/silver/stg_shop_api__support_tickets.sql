-- Silver shop_api.support_tickets: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='ticket_id', incremental_strategy='merge') }}
{{ silver_stg('shop_api', 'support_tickets') }}
