-- Nothing is lost or misplaced between bronze and silver: every bronze row is in silver (and
-- meets the contract there), in quarantine with a reason, or shares its key with a silver row
-- (an exact copy or an older version). Each bucket is counted from its own evidence
-- (macros/silver.sql, silver_accounting_counts), so a row in the wrong bucket fails this.
select *
from {{ ref('dq_row_accounting') }}
where bronze_rows <> silver_rows + quarantined_rows + duplicate_rows
