-- Silver files.customers: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='customer_id', incremental_strategy='merge') }}
{{ silver_stg('files', 'customers') }}
