-- Bronze: every shop_db.refunds row as ingestion landed it (all loads; duplicates and junk included).
select * from {{ bronze('shop_db', 'refunds') }}
