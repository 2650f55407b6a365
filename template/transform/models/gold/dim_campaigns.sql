-- Campaign dimension: one row per marketing campaign.
select
    campaign_id,
    channel,
    campaign_name,
    started_on,
    ended_on,
    updated_at
from {{ ref('stg_files__campaigns') }}
