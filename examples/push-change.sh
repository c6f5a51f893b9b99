#!/usr/bin/env bash
# Push a change to the fleet repository the demo serves at $FLUXPY_DEMO_GIT_URL,
# as a developer would: podinfo scaled to 3 replicas (kustomize `replicas`) and
# its Service removed. The commit's author and date are fixed, so the demo
# prints the same revision every time.
set -euo pipefail
: "${FLUXPY_DEMO_GIT_URL:?run me under python -m tests.apiserver.serve --git ...}"
clone=$(mktemp -d)
trap 'rm -rf "$clone"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@fluxpy.invalid GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@fluxpy.invalid
export GIT_AUTHOR_DATE="@1704067260 +0000" GIT_COMMITTER_DATE="@1704067260 +0000"
git clone -q "$FLUXPY_DEMO_GIT_URL" "$clone"
cat > "$clone/apps/podinfo/kustomization.yaml" <<'YAML'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: ghcr.io/stefanprodan/podinfo
    newTag: 6.9.2 # {"$imagepolicy": "flux-system:podinfo:tag"}
replicas:
  - name: podinfo
    count: 3
YAML
git -C "$clone" rm -q apps/podinfo/service.yaml
git -C "$clone" commit -q -am "podinfo: 3 replicas, no Service"
git -C "$clone" push -q origin main
echo "pushed $(git -C "$clone" log -1 --format='%h %s') to $FLUXPY_DEMO_GIT_URL"
