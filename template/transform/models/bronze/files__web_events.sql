-- Bronze: every files.web_events row as dlt landed it (all loads; duplicates and junk included).
select * from {{ source('files', 'web_events') }}
