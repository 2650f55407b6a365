-- Bronze: every files.web_events row as ingestion landed it (all loads; duplicates and junk included).
select * from {{ bronze('files', 'web_events') }}
