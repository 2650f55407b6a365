-- Bronze: every shop_db.order_items row as dlt landed it (all loads; duplicates and junk included).
select * from {{ source('shop_db', 'order_items') }}
