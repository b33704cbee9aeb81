#!/usr/bin/env bash
# One-time set-up of Entra ID for the API (Bicep cannot create app registrations). Creates, or finds, the API's app
# registration with the app roles of the three route groups, gives it the application id URI api://<client id> and
# v2 access tokens, creates its service principal, and stores the client id in the azd environment
# (API_AUTH_CLIENT_ID), so the next `azd provision` turns App Service authentication on. Nothing secret is created:
# validating tokens needs no client secret.
#
# Usage: infra/scripts/create-api-app-registration.sh [display-name]     (needs `az login`; run from the repository)
set -euo pipefail

name="${1:-serverlessrec-api-${AZURE_ENV_NAME:-$(azd env get-value AZURE_ENV_NAME)}}"

app_id="$(az ad app list --display-name "$name" --query '[0].appId' -o tsv)"
if [[ -z "$app_id" ]]; then
  roles_file="$(mktemp)"
  trap 'rm -f "$roles_file"' EXIT
  # Role values are ServerlessRec.Http.AccessOptions.{Serving,Privacy,Operations}Role.
  cat > "$roles_file" <<JSON
[
  { "allowedMemberTypes": ["Application", "User"], "displayName": "ServerlessRec serving", "isEnabled": true,
    "description": "Call the serving routes: recommendations, events, similar items, health.",
    "value": "ServerlessRec.Serving", "id": "$(cat /proc/sys/kernel/random/uuid)" },
  { "allowedMemberTypes": ["Application", "User"], "displayName": "ServerlessRec privacy", "isEnabled": true,
    "description": "Call the privacy routes: user vector, export, forget.",
    "value": "ServerlessRec.Privacy", "id": "$(cat /proc/sys/kernel/random/uuid)" },
  { "allowedMemberTypes": ["Application", "User"], "displayName": "ServerlessRec operations", "isEnabled": true,
    "description": "Call the operations routes: start a retraining, read its status.",
    "value": "ServerlessRec.Operations", "id": "$(cat /proc/sys/kernel/random/uuid)" }
]
JSON
  app_id="$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --app-roles @"$roles_file" --query appId -o tsv)"
  echo "created app registration $name ($app_id)"
else
  echo "found app registration $name ($app_id)"
fi

az ad app update --id "$app_id" --identifier-uris "api://$app_id" --set api.requestedAccessTokenVersion=2
az ad sp show --id "$app_id" >/dev/null 2>&1 || az ad sp create --id "$app_id" >/dev/null

azd env set API_AUTH_CLIENT_ID "$app_id"
azd env set API_AUTH_TENANT_ID "$(az account show --query tenantId -o tsv)"
echo "API_AUTH_CLIENT_ID=$app_id; now set SERVING_CALLERS, PRIVACY_CALLERS, OPERATIONS_CALLERS (or assign app roles) and run azd provision"
