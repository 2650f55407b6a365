-- Bronze: the raw files.customers rows as dlt landed them (all loads, duplicates included).
select * from {{ source('files', 'customers') }}
