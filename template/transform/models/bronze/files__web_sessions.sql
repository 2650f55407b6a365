-- Bronze: every files.web_sessions row as ingestion landed it (all loads; duplicates and junk included).
select * from {{ bronze('files', 'web_sessions') }}
