-- One row per web event, with its session's visitor (user_key, see fct_web_sessions).
select
    events.event_id,
    events.session_id,
    sessions.customer_id,
    sessions.user_key,
    events.event_type,
    events.occurred_at,
    cast(events.occurred_at as date) as event_date,
    events.product_id,
    events.order_id,
    events.updated_at
from {{ ref('stg_files__web_events') }} as events
left join {{ ref('fct_web_sessions') }} as sessions
    on events.session_id = sessions.session_id
