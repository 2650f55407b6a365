-- Revenue per month of the UTC order date (first day of the month), as fct_daily_revenue.
select
    order_month as revenue_month,
    cast(count(*) as {{ dbt.type_bigint() }}) as order_count,
    {{ to_money('sum(gross_amount)', 18) }} as gross_revenue,
    {{ to_money('sum(refunded_amount)', 18) }} as refunded_amount,
    {{ to_money('sum(net_amount)', 18) }} as net_revenue,
    {{ to_money(round_ratio('sum(gross_amount)', 'count(*)', 2), 18) }} as average_order_value
from {{ ref('fct_orders') }}
where not is_cancelled
group by order_month
