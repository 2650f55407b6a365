-- Silver shop_db.order_items: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='order_item_id', incremental_strategy='merge') }}
{{ silver_stg('shop_db', 'order_items') }}
