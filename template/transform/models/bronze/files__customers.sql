-- Bronze: every files.customers row as ingestion landed it (all loads; duplicates and junk included).
select * from {{ bronze('files', 'customers') }}
