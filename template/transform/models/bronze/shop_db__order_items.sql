-- Bronze: the raw shop_db.order_items rows as dlt landed them (all loads, duplicates included).
select * from {{ source('shop_db', 'order_items') }}
