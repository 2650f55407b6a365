-- Daily, weekly and monthly active users: distinct visitors (user_key) with an event on the
-- day, in the 7 days and in the 30 days ending on it, for every day from the first to the last
-- event date. Computed in one pass: each active day of a visitor covers the windows ending on
-- the following days until the window length passes or the visitor's next active day starts a
-- new stretch, so a running sum of +1/-1 changes counts every visitor once.
with user_days as (
    select distinct user_key, event_date as active_day
    from {{ ref('fct_web_events') }}
),

stretches as (
    select
        active_day,
        lead(active_day) over (partition by user_key order by active_day) as next_active_day
    from user_days
),

coverage as (
    select
        active_day,
        cast({{ dbt.dateadd('day', 1, 'active_day') }} as date) as day_after,
        case
            when next_active_day < cast({{ dbt.dateadd('day', 7, 'active_day') }} as date)
                then next_active_day
            else cast({{ dbt.dateadd('day', 7, 'active_day') }} as date)
        end as week_end,
        case
            when next_active_day < cast({{ dbt.dateadd('day', 30, 'active_day') }} as date)
                then next_active_day
            else cast({{ dbt.dateadd('day', 30, 'active_day') }} as date)
        end as month_end
    from stretches
),

changes as (
    select active_day as change_day, 1 as dau_change, 1 as wau_change, 1 as mau_change
    from coverage
    union all
    select day_after, -1, 0, 0 from coverage
    union all
    select week_end, 0, -1, 0 from coverage
    union all
    select month_end, 0, 0, -1 from coverage
),

daily_changes as (
    select
        change_day,
        sum(dau_change) as dau_change,
        sum(wau_change) as wau_change,
        sum(mau_change) as mau_change
    from changes
    group by change_day
),

days as (
    select dates.date_day
    from {{ ref('dim_date') }} as dates
    where dates.date_day >= (select min(active_day) from user_days)
        and dates.date_day <= (select max(active_day) from user_days)
),

running as (
    select
        days.date_day,
        {%- for measure in ['dau', 'wau', 'mau'] %}
        sum(coalesce(daily_changes.{{ measure }}_change, 0)) over (
            order by days.date_day rows between unbounded preceding and current row
        ) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from days
    left join daily_changes
        on days.date_day = daily_changes.change_day
)

select
    date_day as activity_date,
    cast(dau as {{ dbt.type_bigint() }}) as dau,
    cast(wau as {{ dbt.type_bigint() }}) as wau,
    cast(mau as {{ dbt.type_bigint() }}) as mau
from running
