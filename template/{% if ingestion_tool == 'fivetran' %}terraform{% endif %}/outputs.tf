# The connector ids per source, comma-separated: the platform's .env takes them
# (FIVETRAN_FILES_CONNECTORS, FIVETRAN_SHOP_DB_CONNECTORS, FIVETRAN_SHOP_API_CONNECTORS).
output "connector_ids" {
  value = {
    files    = join(",", [for connector in fivetran_connector.files : connector.id])
    shop_db  = fivetran_connector.shop_db.id
    shop_api = fivetran_connector.shop_api.id
  }
}

output "group_id" {
  value = fivetran_group.platform.id
}
