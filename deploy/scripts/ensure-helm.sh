#!/usr/bin/env bash
# Makes the pinned Helm available for the chart checks and prints its path.
# Helm is built from source with `go install` (Go and its module proxy are all this needs) into a
# versioned directory outside the repository, so a second run is instant and a different Helm
# that happens to be on PATH is never used by the checks.
#
#   HELM="$(deploy/scripts/ensure-helm.sh)" && "$HELM" version
#
# MINISHOP_TOOLS_DIR overrides where tools are kept (default: ~/.cache/minishop/tools).
set -euo pipefail

HELM_VERSION="v3.22.0"
# The Kubernetes version this Helm release is built against (its k8s.io/client-go is v0.37):
# Helm's release build stamps it, and `helm lint` / `helm template` check charts against it.
KUBE_MINOR="37"

tools_dir="${MINISHOP_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/minishop/tools}"
bin_dir="${tools_dir}/helm-${HELM_VERSION}-k8s1.${KUBE_MINOR}"
helm="${bin_dir}/helm"

if [ -x "${helm}" ] && [ "$("${helm}" version --template '{{.Version}}' 2>/dev/null)" = "${HELM_VERSION}" ]; then
  echo "${helm}"
  exit 0
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH="/usr/local/go/bin:${PATH}"
fi
if ! command -v go >/dev/null 2>&1; then
  echo "ensure-helm: Go is not installed; install Go or put helm ${HELM_VERSION} at ${helm}" >&2
  exit 1
fi

mkdir -p "${bin_dir}"
echo "ensure-helm: building helm ${HELM_VERSION} with go install (first run only)" >&2
# Version strings are stamped the way Helm's own Makefile does it.
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
for pkg in pkg/lint/rules pkg/chartutil; do
  ldflags="${ldflags} -X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1 -X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${KUBE_MINOR}"
done
GOBIN="${bin_dir}" CGO_ENABLED=0 go install -ldflags "${ldflags}" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" >&2

if [ "$("${helm}" version --template '{{.Version}}')" != "${HELM_VERSION}" ]; then
  echo "ensure-helm: ${helm} does not report ${HELM_VERSION}" >&2
  exit 1
fi
echo "${helm}"
