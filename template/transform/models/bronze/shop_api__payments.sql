-- Bronze: every shop_api.payments row as ingestion landed it (all loads; duplicates and junk included).
select * from {{ bronze('shop_api', 'payments') }}
