-- Quarantine shop_api.payments: bronze rows that failed validation, with dq_reason and raw values.
{{ config(materialized='incremental', unique_key='_load_id', incremental_strategy='delete+insert') }}
{{ silver_quarantine('shop_api', 'payments') }}
