-- Bronze: every files.campaigns row as ingestion landed it (all loads; duplicates and junk included).
select * from {{ bronze('files', 'campaigns') }}
