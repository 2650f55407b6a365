-- Inventory turnover per month: units sold / average inventory, where the inventory level is
-- the running sum of all movements (all products) and the average is that of the levels at the
-- end of the previous month and at the end of the month.
with monthly as (
    select
        moved_month,
        -sum(case when movement_type = 'sale' then quantity else 0 end) as units_sold,
        sum(quantity) as net_change
    from {{ ref('fct_inventory_movements') }}
    group by moved_month
),

months as (
    select distinct dates.month_start
    from {{ ref('dim_date') }} as dates
    where dates.month_start >= (select min(moved_month) from monthly)
        and dates.month_start <= (select max(moved_month) from monthly)
),

levels as (
    select
        months.month_start,
        coalesce(monthly.units_sold, 0) as units_sold,
        sum(coalesce(monthly.net_change, 0)) over (
            order by months.month_start rows between unbounded preceding and current row
        ) as closing_level,
        coalesce(monthly.net_change, 0) as net_change
    from months
    left join monthly
        on months.month_start = monthly.moved_month
)

select
    month_start as month,
    cast(units_sold as {{ dbt.type_bigint() }}) as units_sold,
    cast({{ round_ratio('2 * closing_level - net_change', 2, 2) }} as decimal(18, 2))
        as average_inventory,
    cast({{ round_ratio('2 * units_sold', '2 * closing_level - net_change', 4) }}
        as decimal(9, 4)) as turnover
from levels
