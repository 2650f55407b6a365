terraform {
  required_version = ">= 1.5"

  required_providers {
    airbyte = {
      source  = "airbytehq/airbyte"
      version = "~> 0.13"
    }
  }
}

# The Airbyte server's public API (abctl: http://localhost:8000/api/public/v1) and an
# application's credentials (Airbyte: Settings, Applications).
provider "airbyte" {
  server_url    = var.airbyte_api_url
  client_id     = var.airbyte_client_id
  client_secret = var.airbyte_client_secret
}
