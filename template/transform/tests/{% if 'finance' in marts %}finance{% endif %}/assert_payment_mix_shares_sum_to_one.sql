-- The payment mix's shares add up to 1 (up to rounding of each share to 4 places).
select sum(share_of_amount) as total_share
from {{ ref('fct_payment_mix') }}
having abs(sum(share_of_amount) - 1) > 0.001
