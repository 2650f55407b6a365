-- Shipments of valid orders per UTC order date: average lead time (order to shipping, hours)
-- and the on-time share of delivered shipments (delivered_at <= promised_at).
select
    order_date,
    cast(count(*) as {{ dbt.type_bigint() }}) as shipments,
    cast({{ round_ratio('sum(lead_time_seconds)', '3600 * count(lead_time_seconds)', 2) }}
        as decimal(18, 2)) as avg_lead_time_hours,
    cast(sum(case when is_delivered then 1 else 0 end) as {{ dbt.type_bigint() }})
        as delivered_shipments,
    cast({{ round_ratio(
        'sum(case when is_on_time then 1 else 0 end)',
        'sum(case when is_delivered then 1 else 0 end)',
        4
    ) }} as decimal(9, 4)) as on_time_rate
from {{ ref('fct_shipments') }}
where not is_cancelled_order
group by order_date
