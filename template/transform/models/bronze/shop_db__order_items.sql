-- Bronze: every shop_db.order_items row as ingestion landed it (all loads; duplicates and junk included).
select * from {{ bronze('shop_db', 'order_items') }}
