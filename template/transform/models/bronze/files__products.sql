-- Bronze: the raw files.products rows as dlt landed them (all loads, duplicates included).
select * from {{ source('files', 'products') }}
