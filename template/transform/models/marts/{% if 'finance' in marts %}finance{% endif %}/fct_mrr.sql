-- Monthly recurring revenue and churn. A subscription is active at the end of a month when it
-- started before the next month and was not cancelled before it; churn_rate = cancellations in
-- the month / active at the end of the previous month (NULL when none were active).
with bounds as (
    select
        min(started_month) as first_month,
        max(case
            when cancelled_month is not null and cancelled_month > started_month
                then cancelled_month
            else started_month
        end) as last_month
    from {{ ref('fct_subscriptions') }}
),

months as (
    select distinct
        dates.month_start,
        {{ dbt.dateadd('month', 1, 'dates.month_start') }} as next_month_start
    from {{ ref('dim_date') }} as dates
    inner join bounds
        on dates.month_start between bounds.first_month and bounds.last_month
),

monthly as (
    select
        months.month_start,
        sum(case
            when subscriptions.started_at < months.next_month_start
                and (
                    subscriptions.cancelled_at is null
                    or subscriptions.cancelled_at >= months.next_month_start
                )
                then 1
            else 0
        end) as active_subscriptions,
        sum(case
            when subscriptions.started_at < months.next_month_start
                and (
                    subscriptions.cancelled_at is null
                    or subscriptions.cancelled_at >= months.next_month_start
                )
                then subscriptions.monthly_price
            else 0
        end) as mrr,
        sum(case when subscriptions.started_month = months.month_start then 1 else 0 end)
            as new_subscriptions,
        sum(case when subscriptions.cancelled_month = months.month_start then 1 else 0 end)
            as churned_subscriptions
    from months
    cross join {{ ref('fct_subscriptions') }} as subscriptions
    group by months.month_start
)

select
    month_start as month,
    cast(active_subscriptions as {{ dbt.type_bigint() }}) as active_subscriptions,
    {{ to_money('mrr', 18) }} as mrr,
    cast(new_subscriptions as {{ dbt.type_bigint() }}) as new_subscriptions,
    cast(churned_subscriptions as {{ dbt.type_bigint() }}) as churned_subscriptions,
    cast(
        {{ round_ratio('churned_subscriptions', 'lag(active_subscriptions) over (order by month_start)', 4) }}
        as decimal(9, 4)
    ) as churn_rate
from monthly
