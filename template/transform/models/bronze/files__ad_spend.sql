-- Bronze: every files.ad_spend row as dlt landed it (all loads; duplicates and junk included).
select * from {{ source('files', 'ad_spend') }}
