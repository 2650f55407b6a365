-- Silver shop_db.subscriptions: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='subscription_id', incremental_strategy='merge') }}
{{ silver_stg('shop_db', 'subscriptions') }}
