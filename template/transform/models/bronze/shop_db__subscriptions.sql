-- Bronze: every shop_db.subscriptions row as dlt landed it (all loads; duplicates and junk included).
select * from {{ source('shop_db', 'subscriptions') }}
