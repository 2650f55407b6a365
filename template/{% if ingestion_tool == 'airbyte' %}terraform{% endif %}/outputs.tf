# The connection id per source: the platform's .env takes them (AIRBYTE_FILES_CONNECTION,
# AIRBYTE_SHOP_DB_CONNECTION, AIRBYTE_SHOP_API_CONNECTION).
output "connection_ids" {
  value = { for source, connection in airbyte_connection.platform : source => connection.connection_id }
}
