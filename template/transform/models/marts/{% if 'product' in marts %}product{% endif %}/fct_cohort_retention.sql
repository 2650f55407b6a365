-- Monthly cohort retention: a customer's cohort is the month of their first valid order; for
-- each later month up to the last month with an order, the share of the cohort ordering again.
with customer_months as (
    select distinct customer_id, order_month
    from {{ ref('fct_orders') }}
    where not is_cancelled
),

cohorts as (
    select customer_id, min(order_month) as cohort_month
    from customer_months
    group by customer_id
),

cohort_sizes as (
    select cohort_month, count(*) as cohort_customers
    from cohorts
    group by cohort_month
),

cohort_months as (
    select distinct
        cohort_sizes.cohort_month,
        dates.month_start as activity_month,
        cohort_sizes.cohort_customers
    from cohort_sizes
    inner join {{ ref('dim_date') }} as dates
        on dates.month_start >= cohort_sizes.cohort_month
        and dates.month_start <= (select max(order_month) from customer_months)
),

activity as (
    select
        cohorts.cohort_month,
        customer_months.order_month as activity_month,
        count(*) as active_customers
    from customer_months
    inner join cohorts
        on customer_months.customer_id = cohorts.customer_id
    group by cohorts.cohort_month, customer_months.order_month
)

select
    cohort_months.cohort_month,
    cast({{ dbt.datediff('cohort_months.cohort_month', 'cohort_months.activity_month', 'month') }}
        as {{ dbt.type_int() }}) as months_since_first_order,
    cast(cohort_months.cohort_customers as {{ dbt.type_bigint() }}) as cohort_customers,
    cast(coalesce(activity.active_customers, 0) as {{ dbt.type_bigint() }}) as active_customers,
    cast({{ round_ratio('coalesce(activity.active_customers, 0)', 'cohort_months.cohort_customers', 4) }}
        as decimal(9, 4)) as retention_rate
from cohort_months
left join activity
    on cohort_months.cohort_month = activity.cohort_month
    and cohort_months.activity_month = activity.activity_month
