-- Revenue per UTC calendar day of ordering, over non-cancelled orders only.
with daily as (
    select
        order_date as revenue_date,
        count(distinct order_id) as order_count,
        sum(order_total) as gross_revenue
    from {{ ref('fct_orders') }}
    where not is_cancelled
    group by order_date
)

select
    revenue_date,
    cast(order_count as {{ dbt.type_bigint() }}) as order_count,
    {{ to_money('gross_revenue', 18) }} as gross_revenue,
    {{ to_money('round(gross_revenue / order_count, 2)', 18) }} as average_order_value
from daily
