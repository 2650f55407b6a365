# Copy to terraform.tfvars (git-ignored) and fill in; secrets come from TF_VAR_* in .env.
destination_role_arn  = "arn:aws:iam::123456789012:role/fivetran-lake-writer"
files_bucket          = "acme-shop-exports"
files_role_arn        = "arn:aws:iam::123456789012:role/fivetran-files-reader"
shop_db_host          = "shop-db.internal.example.com"
shop_api_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:shop-api-fivetran"
shop_api_role_arn     = "arn:aws:iam::123456789012:role/fivetran-lambda-invoker"
