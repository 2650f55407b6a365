-- Bronze: the raw payments_api.payments rows as dlt landed them (all loads, duplicates included).
select * from {{ source('payments_api', 'payments') }}
