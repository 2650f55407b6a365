-- Bronze: every shop_db.orders row as dlt landed it (all loads; duplicates and junk included).
select * from {{ source('shop_db', 'orders') }}
