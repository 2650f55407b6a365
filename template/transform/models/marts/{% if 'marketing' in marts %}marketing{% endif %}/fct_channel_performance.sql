-- Per advertising channel: spend, new customers acquired through it (with at least one valid
-- order), cost per acquisition, and last-touch attributed orders and revenue (the campaigns'
-- figures from fct_campaign_performance, summed by the campaign's channel).
with spend as (
    select
        channel,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref('fct_ad_spend') }}
    group by channel
),

attributed as (
    select
        channel,
        sum(attributed_orders) as attributed_orders,
        sum(attributed_revenue) as attributed_revenue
    from {{ ref('fct_campaign_performance') }}
    group by channel
),

channels as (
    -- Distinct over UNION ALL: a bare UNION is no BigQuery (it wants UNION DISTINCT, which
    -- Snowflake lacks).
    select distinct channel
    from (
        select channel from spend
        union all
        select channel from attributed
    ) as both_sources
),

new_customers as (
    select
        customers.acquisition_channel as channel,
        count(*) as new_customers
    from {{ ref('dim_customers') }} as customers
    where exists (
        select 1
        from {{ ref('fct_orders') }} as orders
        where orders.customer_id = customers.customer_id
            and not orders.is_cancelled
    )
    group by customers.acquisition_channel
)

select
    channels.channel,
    {{ to_money('coalesce(spend.spend, 0)', 18) }} as spend,
    cast(coalesce(spend.impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
    cast(coalesce(spend.clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
    cast(coalesce(new_customers.new_customers, 0) as {{ dbt.type_bigint() }}) as new_customers,
    {{ to_money(round_ratio('coalesce(spend.spend, 0)', 'new_customers.new_customers', 2), 18) }}
        as cac,
    cast(coalesce(attributed.attributed_orders, 0) as {{ dbt.type_bigint() }})
        as attributed_orders,
    {{ to_money('coalesce(attributed.attributed_revenue, 0)', 18) }} as attributed_revenue,
    cast({{ round_ratio('coalesce(attributed.attributed_revenue, 0)', 'spend.spend', 4) }}
        as decimal(9, 4)) as roas
from channels
left join spend
    on channels.channel = spend.channel
left join attributed
    on channels.channel = attributed.channel
left join new_customers
    on channels.channel = new_customers.channel
