-- Bronze: the raw shop_db.orders rows as dlt landed them (all loads, duplicates included).
select * from {{ source('shop_db', 'orders') }}
