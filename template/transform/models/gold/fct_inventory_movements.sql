-- One row per inventory movement (quantity signed: sales negative, receipts/returns positive).
select
    movement_id,
    product_id,
    movement_type,
    quantity,
    moved_at,
    cast(moved_at as date) as moved_date,
    cast({{ dbt.date_trunc('month', 'moved_at') }} as date) as moved_month,
    updated_at
from {{ ref('stg_shop_db__inventory_movements') }}
