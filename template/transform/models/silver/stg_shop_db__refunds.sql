-- Silver shop_db.refunds: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='refund_id', incremental_strategy='merge') }}
{{ silver_stg('shop_db', 'refunds') }}
