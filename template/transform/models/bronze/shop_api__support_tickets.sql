-- Bronze: every shop_api.support_tickets row as ingestion landed it (all loads; duplicates and junk included).
select * from {{ bronze('shop_api', 'support_tickets') }}
