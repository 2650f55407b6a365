-- Nothing is lost between bronze and silver: every bronze row is in silver, in quarantine or
-- counted as a removed duplicate (an exact copy or an older version of its key).
select *
from {{ ref('dq_row_accounting') }}
where bronze_rows <> silver_rows + quarantined_rows + duplicate_rows
