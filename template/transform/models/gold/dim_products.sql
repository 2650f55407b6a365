-- Product dimension.
select
    product_id,
    sku,
    product_name,
    category,
    unit_price,
    is_active,
    updated_at
from {{ ref('stg_files__products') }}
