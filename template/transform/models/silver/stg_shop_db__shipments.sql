-- Silver shop_db.shipments: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='shipment_id', incremental_strategy='merge') }}
{{ silver_stg('shop_db', 'shipments') }}
