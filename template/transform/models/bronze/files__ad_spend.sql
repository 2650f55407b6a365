-- Bronze: every files.ad_spend row as ingestion landed it (all loads; duplicates and junk included).
select * from {{ bronze('files', 'ad_spend') }}
