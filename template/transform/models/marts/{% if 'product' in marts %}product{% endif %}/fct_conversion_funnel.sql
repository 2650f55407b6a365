-- Conversion funnel: sessions with at least one event of each step's type (whatever other
-- events they have), and the conversion from the previous step, rounded to 4 places.
{%- set steps = ['page_view', 'product_view', 'add_to_cart', 'checkout', 'purchase'] %}
with session_steps as (
    select
        session_id,
        {%- for step in steps %}
        max(case when event_type = '{{ step }}' then 1 else 0 end) as has_{{ step }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_web_events') }}
    group by session_id
),

funnel as (
    {%- for step in steps %}
    select {{ loop.index }} as step_order, '{{ step }}' as step, sum(has_{{ step }}) as sessions
    from session_steps
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
)

select
    cast(step_order as {{ dbt.type_int() }}) as step_order,
    cast(step as {{ dbt.type_string() }}) as step,
    cast(coalesce(sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
    cast({{ round_ratio('sessions', 'lag(sessions) over (order by step_order)', 4) }}
        as decimal(9, 4)) as conversion_from_previous
from funnel
