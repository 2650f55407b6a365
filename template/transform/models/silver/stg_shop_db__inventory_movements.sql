-- Silver shop_db.inventory_movements: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='movement_id', incremental_strategy='merge') }}
{{ silver_stg('shop_db', 'inventory_movements') }}
