-- One row per campaign and day of advertising.
select
    spend_date,
    campaign_id,
    channel,
    cast(spend as decimal(18, 2)) as spend,
    impressions,
    clicks,
    updated_at
from {{ ref('stg_files__ad_spend') }}
