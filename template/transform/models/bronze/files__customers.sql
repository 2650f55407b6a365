-- Bronze: every files.customers row as dlt landed it (all loads; duplicates and junk included).
select * from {{ source('files', 'customers') }}
