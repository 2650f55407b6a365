-- Silver shop_db.orders: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='order_id', incremental_strategy='merge') }}
{{ silver_stg('shop_db', 'orders') }}
