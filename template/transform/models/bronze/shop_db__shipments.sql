-- Bronze: every shop_db.shipments row as ingestion landed it (all loads; duplicates and junk included).
select * from {{ bronze('shop_db', 'shipments') }}
