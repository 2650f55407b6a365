-- Date dimension: every UTC calendar day from the earliest to the latest date in the data.
{%- set bounds_sql %}
    select min(day_value) as first_day, max(day_value) as last_day
    from (
        select cast(min(ordered_at) as date) as day_value from {{ ref('stg_shop_db__orders') }}
        union all
        select cast(max(ordered_at) as date) from {{ ref('stg_shop_db__orders') }}
        union all
        select cast(min(started_at) as date) from {{ ref('stg_shop_db__subscriptions') }}
        union all
        select cast(max(started_at) as date) from {{ ref('stg_shop_db__subscriptions') }}
        union all
        select cast(max(cancelled_at) as date) from {{ ref('stg_shop_db__subscriptions') }}
        union all
        select cast(min(started_at) as date) from {{ ref('stg_files__web_sessions') }}
        union all
        select cast(max(occurred_at) as date) from {{ ref('stg_files__web_events') }}
        union all
        select min(spend_date) from {{ ref('stg_files__ad_spend') }}
        union all
        select max(spend_date) from {{ ref('stg_files__ad_spend') }}
        union all
        select cast(min(moved_at) as date) from {{ ref('stg_shop_db__inventory_movements') }}
        union all
        select cast(max(moved_at) as date) from {{ ref('stg_shop_db__inventory_movements') }}
        union all
        select cast(max(delivered_at) as date) from {{ ref('stg_shop_db__shipments') }}
        union all
        select cast(max(resolved_at) as date) from {{ ref('stg_shop_api__support_tickets') }}
        union all
        select cast(max(refunded_at) as date) from {{ ref('stg_shop_db__refunds') }}
    ) as candidate_days
{%- endset %}
{%- set first_day, last_day = none, none %}
{%- if can_introspect() %}
    {%- set bounds = run_query(bounds_sql).rows[0] %}
    {%- set first_day, last_day = bounds[0], bounds[1] %}
{%- endif %}
{#- The number of days is counted here (dbt.date_spine would ask the warehouse with a query,
    which an offline compile cannot run). -#}
{%- set first_day = modules.datetime.date.fromisoformat(((first_day or '2000-01-01') | string)[:10]) %}
{%- set last_day = modules.datetime.date.fromisoformat(((last_day or '2000-01-01') | string)[:10]) %}

with days as (
    select {{ dbt.dateadd('day', 'generated_number - 1', "cast('" ~ first_day ~ "' as date)") }} as date_day
    from ({{ dbt.generate_series((last_day - first_day).days + 1) }}) as series
)

select
    cast(date_day as date) as date_day,
    cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
    cast(extract(year from date_day) as {{ dbt.type_int() }}) as year_number,
    cast(extract(month from date_day) as {{ dbt.type_int() }}) as month_number,
    cast(extract(day from date_day) as {{ dbt.type_int() }}) as day_of_month
from days
