-- Bronze: every files.campaigns row as dlt landed it (all loads; duplicates and junk included).
select * from {{ source('files', 'campaigns') }}
