-- Silver shop_api.payments: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='payment_id', incremental_strategy='merge') }}
{{ silver_stg('shop_api', 'payments') }}
