-- Bronze: every shop_db.shipments row as dlt landed it (all loads; duplicates and junk included).
select * from {{ source('shop_db', 'shipments') }}
