#!/usr/bin/env bash
# Gives each caller group its own named function key on the functions of its group only, so the web app's key opens no
# privacy or operations route. Every trigger is AuthorizationLevel.Function, so the host asks for a key in both access
# modes: without Entra ID (Access__Mode = FunctionKeys) the key is the only check; with it, the key is checked by the
# host and the caller's token by App Service authentication and the app (Access__*Callers, app roles). Run once after the first
# deployment (the functions must exist); running it again ROTATES the group's keys (new values), which is also how to
# revoke a leaked key. All functions of a group get the same value. The values are not printed: read one with
#   az functionapp function keys list -g <group> -n <app> --function-name <function> --query <key-name> -o tsv
# and put it in the caller's secret store. Host keys (default, master) open every route: never hand them out.
#
# Usage: infra/scripts/set-function-keys.sh <resource-group> <function-app> [serving|privacy|operations ...]
set -euo pipefail

# The function names of each group: ServerlessRec.Http.RouteTable (a test keeps these lists equal to it).
SERVING_FUNCTIONS="Health OpenApi PostEvents Recommendations SimilarItems SimilarItemsByQuery UnknownRoute"
PRIVACY_FUNCTIONS="ExportUser ExportUserByQuery ForgetUser ForgetUserByQuery UserVector UserVectorByQuery"
OPERATIONS_FUNCTIONS="ActivateModel ChallengeModel DeleteItem DeleteItemByQuery PromoteChallenger PutItems RetrainStatus StartRetrain Status StopChallenger"

group="${1:?resource group}"
app="${2:?function app name}"
shift 2
groups=("$@")
[[ ${#groups[@]} -gt 0 ]] || groups=(serving privacy operations)

for g in "${groups[@]}"; do
  case "$g" in
    serving) functions="$SERVING_FUNCTIONS" ;;
    privacy) functions="$PRIVACY_FUNCTIONS" ;;
    operations) functions="$OPERATIONS_FUNCTIONS" ;;
    *) echo "unknown group $g (serving, privacy or operations)" >&2; exit 2 ;;
  esac
  # One value for the whole group, so a caller holds one key per group (ServerlessRec.Client's ServingKey, PrivacyKey,
  # OperationsKey); without --key-value the host would generate a different value for each function.
  value="$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  for f in $functions; do
    az functionapp function keys set -g "$group" -n "$app" --function-name "$f" --key-name "$g-caller" --key-value "$value" -o none
  done
  echo "$g: key \"$g-caller\" set on $functions"
done
