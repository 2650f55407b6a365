-- One row per web session. user_key identifies the visitor: the customer when logged in,
-- else the anonymous id (prefixed so the two id spaces never collide).
select
    session_id,
    customer_id,
    anonymous_id,
    case
        when customer_id is not null
            then {{ dbt.concat(["'customer:'", dbt.cast('customer_id', dbt.type_string())]) }}
        else {{ dbt.concat(["'anonymous:'", 'anonymous_id']) }}
    end as user_key,
    started_at,
    cast(started_at as date) as session_date,
    channel,
    campaign_id,
    device,
    updated_at
from {{ ref('stg_files__web_sessions') }}
