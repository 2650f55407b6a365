-- Bronze: every shop_api.support_tickets row as dlt landed it (all loads; duplicates and junk included).
select * from {{ source('shop_api', 'support_tickets') }}
