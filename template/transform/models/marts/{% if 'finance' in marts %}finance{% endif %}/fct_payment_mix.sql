-- Succeeded payments per payment method and each method's share of the amount.
with by_method as (
    select
        payment_method,
        count(*) as payment_count,
        sum(amount) as total_amount
    from {{ ref('fct_payments') }}
    where is_succeeded
    group by payment_method
)

select
    payment_method,
    cast(payment_count as {{ dbt.type_bigint() }}) as payment_count,
    {{ to_money('total_amount', 18) }} as total_amount,
    cast({{ round_ratio('total_amount', 'sum(total_amount) over ()', 4) }} as decimal(9, 4))
        as share_of_amount
from by_method
