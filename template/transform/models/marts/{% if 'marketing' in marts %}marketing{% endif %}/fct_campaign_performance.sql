-- Spend and last-touch attributed orders per campaign. A valid order is attributed to the
-- campaign of the same customer's latest web session that has a campaign and started within
-- the 7 days up to the order (inclusive); attributed revenue is the order's gross amount.
with valid_orders as (
    select order_id, customer_id, ordered_at, gross_amount
    from {{ ref('fct_orders') }}
    where not is_cancelled
),

touches as (
    select
        valid_orders.order_id,
        valid_orders.gross_amount,
        sessions.campaign_id,
        row_number() over (
            partition by valid_orders.order_id
            order by sessions.started_at desc, sessions.session_id desc
        ) as touch_rank
    from valid_orders
    inner join {{ ref('fct_web_sessions') }} as sessions
        on sessions.customer_id = valid_orders.customer_id
        and sessions.campaign_id is not null
        and sessions.started_at <= valid_orders.ordered_at
        and sessions.started_at >= {{ dbt.dateadd('day', -7, 'valid_orders.ordered_at') }}
),

attributed as (
    select
        campaign_id,
        count(*) as attributed_orders,
        sum(gross_amount) as attributed_revenue
    from touches
    where touch_rank = 1
    group by campaign_id
),

spend as (
    select
        campaign_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref('fct_ad_spend') }}
    group by campaign_id
)

select
    campaigns.campaign_id,
    campaigns.channel,
    {{ to_money('coalesce(spend.spend, 0)', 18) }} as spend,
    cast(coalesce(spend.impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
    cast(coalesce(spend.clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
    cast(coalesce(attributed.attributed_orders, 0) as {{ dbt.type_bigint() }})
        as attributed_orders,
    {{ to_money('coalesce(attributed.attributed_revenue, 0)', 18) }} as attributed_revenue,
    cast({{ round_ratio('coalesce(attributed.attributed_revenue, 0)', 'spend.spend', 4) }}
        as decimal(9, 4)) as roas
from {{ ref('dim_campaigns') }} as campaigns
left join spend
    on campaigns.campaign_id = spend.campaign_id
left join attributed
    on campaigns.campaign_id = attributed.campaign_id
