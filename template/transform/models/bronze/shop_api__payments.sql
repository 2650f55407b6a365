-- Bronze: every shop_api.payments row as dlt landed it (all loads; duplicates and junk included).
select * from {{ source('shop_api', 'payments') }}
