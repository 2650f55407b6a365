-- Revenue per month of the UTC order date (first day of the month): the daily figures summed
-- (all exact sums of money), the average order value recomputed over the month.
select
    cast({{ dbt.date_trunc('month', 'revenue_date') }} as date) as revenue_month,
    cast(sum(order_count) as {{ dbt.type_bigint() }}) as order_count,
    {{ to_money('sum(gross_revenue)', 18) }} as gross_revenue,
    {{ to_money('sum(refunded_amount)', 18) }} as refunded_amount,
    {{ to_money('sum(net_revenue)', 18) }} as net_revenue,
    {{ to_money(round_ratio('sum(gross_revenue)', 'sum(order_count)', 2), 18) }} as average_order_value
from {{ ref('fct_daily_revenue') }}
group by cast({{ dbt.date_trunc('month', 'revenue_date') }} as date)
