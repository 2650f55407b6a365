-- Bronze: every shop_db.inventory_movements row as ingestion landed it (all loads; duplicates and junk included).
select * from {{ bronze('shop_db', 'inventory_movements') }}
