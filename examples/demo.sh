#!/usr/bin/env bash
# Set up fluxpy on this machine and run it on the bundled examples, no cluster
# needed:
# 1. the test suite's Kubernetes API emulator serves examples/cluster/ (a
#    recording of a Flux cluster's state) over HTTPS, and the real fluxpy CLI
#    reads and patches it through its cluster layer;
# 2. examples/fleet/ is committed to a throwaway Git repository, and
#    `fluxpy pull git` fetches it and builds its artifact as a GitRepository
#    would (twice: the second run finds the remote unchanged);
# 3. `fluxpy build kustomize` builds examples/fleet/apps with fluxpy's own
#    kustomize engine (byte-identical to `kustomize build`), and
#    `fluxpy build kustomization` builds it as Flux would for the
#    Kustomization in examples/fleet/clusters/prod/apps.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup
fluxpy=.venv/bin/fluxpy
.venv/bin/python -m tests.apiserver.serve --echo --seed examples/cluster \
    -- "$fluxpy" get all -A \
    -- "$fluxpy" get ks --status-selector ready=false \
    -- "$fluxpy" suspend ks apps \
    -- "$fluxpy" get ks apps \
    -- "$fluxpy" resume ks apps \
    -- "$fluxpy" get ks apps -o yaml

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/fleet "$work/fleet"
git -C "$work/fleet" init -q -b main
git -C "$work/fleet" add -A
git -C "$work/fleet" -c user.name=demo -c user.email=demo@fluxpy.invalid commit -q -m "Add podinfo"
for run in first again; do
    echo "\$ fluxpy pull git --url file://$work/fleet --branch main   # $run"
    XDG_CACHE_HOME="$work/cache" "$fluxpy" pull git --url "file://$work/fleet" --branch main
    echo
done

echo "\$ fluxpy build kustomize examples/fleet/apps"
"$fluxpy" build kustomize examples/fleet/apps
echo
echo "\$ fluxpy build kustomization apps --path examples/fleet/apps --kustomization-file examples/fleet/clusters/prod/apps.yaml --dry-run"
"$fluxpy" build kustomization apps --path examples/fleet/apps \
    --kustomization-file examples/fleet/clusters/prod/apps.yaml --dry-run
