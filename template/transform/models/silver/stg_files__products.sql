-- Silver files.products: valid rows, typed, latest version per key (see macros/silver.sql).
{{ config(materialized='incremental', unique_key='product_id', incremental_strategy='merge') }}
{{ silver_stg('files', 'products') }}
