# Copy to terraform.tfvars (git-ignored) and fill in; secrets come from TF_VAR_* in .env.
workspace_id        = "00000000-0000-0000-0000-000000000000"
lake_access_key_id  = "AKIAEXAMPLELAKEWRITER"
files_bucket        = "acme-shop-exports"
files_access_key_id = "AKIAEXAMPLEFILESREADER"
shop_db_host        = "shop-db.internal.example.com"
shop_api_url        = "https://shop-api.internal.example.com"
