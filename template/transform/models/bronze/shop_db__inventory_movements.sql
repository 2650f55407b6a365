-- Bronze: every shop_db.inventory_movements row as dlt landed it (all loads; duplicates and junk included).
select * from {{ source('shop_db', 'inventory_movements') }}
