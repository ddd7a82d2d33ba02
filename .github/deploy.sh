#!/usr/bin/env bash
# One Helm upgrade of deploy/helm/atrium, for deploy.yml (its staging and production jobs run the same steps).
# Environment: KUBECONFIG_CONTENT, HELM_VALUES (optional values file), NAMESPACE (default atrium), IMAGE, TAG.
set -euo pipefail
export KUBECONFIG="$RUNNER_TEMP/kubeconfig"
printf '%s' "$KUBECONFIG_CONTENT" > "$KUBECONFIG"
chmod 600 "$KUBECONFIG"
values=()
if [ -n "${HELM_VALUES:-}" ]; then
  printf '%s' "$HELM_VALUES" > "$RUNNER_TEMP/values.yaml"
  values=(--values "$RUNNER_TEMP/values.yaml")
fi
# --wait: the upgrade succeeds only when the new replicas are ready; the migration hook Job runs before them.
helm upgrade --install atrium deploy/helm/atrium --namespace "${NAMESPACE:-atrium}" \
  "${values[@]}" --set image.repository="$IMAGE" --set image.tag="$TAG" \
  --atomic --wait --timeout 15m
