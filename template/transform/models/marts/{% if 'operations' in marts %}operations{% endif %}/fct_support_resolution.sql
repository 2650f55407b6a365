-- Support tickets per month of creation: how many, how many resolved, and the average
-- resolution time (resolved_at - created_at, hours) of the resolved ones.
select
    created_month,
    cast(count(*) as {{ dbt.type_bigint() }}) as tickets,
    cast(sum(case when is_resolved then 1 else 0 end) as {{ dbt.type_bigint() }})
        as resolved_tickets,
    cast({{ round_ratio('sum(resolution_seconds)', '3600 * count(resolution_seconds)', 2) }}
        as decimal(18, 2)) as avg_resolution_hours
from {{ ref('fct_support_tickets') }}
group by created_month
