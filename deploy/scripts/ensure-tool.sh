#!/usr/bin/env bash
# Makes one pinned deployment-check tool available and prints its path:
#
#   HELM="$(deploy/scripts/ensure-tool.sh helm)" && "$HELM" version
#
# Tools: helm, kube-score, promtool. Each is built from source with `go install` (Go and its
# module proxy are all this needs) into a directory named after its version, outside the
# repository. A second run finds the binary and returns at once; a different copy that happens to
# be on PATH is never used. Go's module and build caches make a rebuild after a wiped tools
# directory take seconds instead of minutes.
#
# MINISHOP_TOOLS_DIR overrides where tools are kept (default: ~/.cache/minishop/tools).
set -euo pipefail

tool="${1:?usage: ensure-tool.sh helm|kube-score|promtool}"

# Per tool: the release, the package that `go install` builds, the version string stamped in
# (so the binary reports its release) and the arguments that print it.
case "${tool}" in
  helm)
    # Helm 4 takes the Kubernetes version it checks charts against from the client-go module it
    # was built with, which `go install` records in the binary.
    version="v4.3.2"
    package="helm.sh/helm/v4/cmd/helm"
    ldflags="-X helm.sh/helm/v4/internal/version.version=${version}"
    version_args=(version --template '{{.Version}}')
    ;;
  kube-score)
    version="v1.20.0"
    package="github.com/zegl/kube-score/cmd/kube-score"
    ldflags="-X main.version=${version}"
    version_args=(version)
    ;;
  promtool)
    # Prometheus 3.x publishes its Go module as v0.3MM.P for release 3.MM.P.
    version="v0.316.0"
    package="github.com/prometheus/prometheus/cmd/promtool"
    ldflags="-X github.com/prometheus/common/version.Version=${version}"
    version_args=(--version)
    ;;
  *)
    echo "ensure-tool: unknown tool ${tool}" >&2
    exit 2
    ;;
esac

tools_dir="${MINISHOP_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/minishop/tools}"
bin_dir="${tools_dir}/${tool}-${version}"
binary="${bin_dir}/${tool}"

reports_version() { "${binary}" "${version_args[@]}" 2>/dev/null | grep -qF -- "${version}"; }

if [ -x "${binary}" ] && reports_version; then
  echo "${binary}"
  exit 0
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH="/usr/local/go/bin:${PATH}"
fi
if ! command -v go >/dev/null 2>&1; then
  echo "ensure-tool: Go is not installed; install Go or put ${tool} ${version} at ${binary}" >&2
  exit 1
fi

mkdir -p "${bin_dir}"
echo "ensure-tool: building ${tool} ${version} with go install" >&2
GOBIN="${bin_dir}" CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
  go install -ldflags "-s -w ${ldflags}" "${package}@${version}" >&2

if ! reports_version; then
  echo "ensure-tool: ${binary} does not report ${version}" >&2
  exit 1
fi
echo "${binary}"
