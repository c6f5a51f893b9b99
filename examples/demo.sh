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
#    Kustomization in examples/fleet/clusters/prod/apps.yaml;
# 4. a second, empty emulator gets the Kustomization in
#    examples/fleet/clusters/prod/ and a GitRepository flux-system pointing at
#    examples/fleet/, committed and served by a real `git http-backend`
#    (`--git`), and `fluxpy reconcile kustomization` does kustomize-controller's
#    job: fetch, build, validate, apply, prune, status. First run: everything
#    created; second run: nothing to do; then examples/push-change.sh pushes a
#    commit, and a dry run previews what the next run applies and prunes;
# 5. image update to Git: a third emulator gets the image automation objects of
#    examples/fleet/clusters/prod/images.yaml, the fleet served as in part 4,
#    and a real registry (`--registry`, Debian's docker-registry on 127.0.0.1)
#    holding four podinfo tags. `fluxpy image update apps --dry-run` shows the
#    diff; examples/ci-image-update.sh runs the cluster-free CI mode on a clone
#    (objects read from its YAML, committed there, not pushed); then
#    `fluxpy image update apps` commits and pushes the new tag, records the
#    objects' status, and a second run finds the repository up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup
export PATH="$PWD/.venv/bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"  # fluxpy's artifacts, thrown away at the end

.venv/bin/python -m tests.apiserver.serve --echo --seed examples/cluster \
    -- fluxpy get all -A \
    -- fluxpy get ks --status-selector ready=false \
    -- fluxpy suspend ks apps \
    -- fluxpy get ks apps \
    -- fluxpy resume ks apps --no-wait \
    -- fluxpy get ks apps -o yaml

cp -r examples/fleet "$work/fleet"
git -C "$work/fleet" init -q -b main
git -C "$work/fleet" add -A
git -C "$work/fleet" -c user.name=demo -c user.email=demo@fluxpy.invalid commit -q -m "Add podinfo"
for run in first again; do
    echo "\$ fluxpy pull git --url file://$work/fleet --branch main   # $run"
    fluxpy pull git --url "file://$work/fleet" --branch main
    echo
done

echo "\$ fluxpy build kustomize examples/fleet/apps"
fluxpy build kustomize examples/fleet/apps
echo
echo "\$ fluxpy build kustomization apps --path examples/fleet/apps --kustomization-file examples/fleet/clusters/prod/apps.yaml --dry-run"
fluxpy build kustomization apps --path examples/fleet/apps \
    --kustomization-file examples/fleet/clusters/prod/apps.yaml --dry-run
echo

.venv/bin/python -m tests.apiserver.serve --echo --seed examples/fleet/clusters/prod \
    --git flux-system/flux-system=examples/fleet \
    -- fluxpy reconcile ks apps --with-source \
    -- fluxpy get ks \
    -- fluxpy reconcile ks apps \
    -- bash examples/push-change.sh \
    -- fluxpy reconcile source git flux-system \
    -- fluxpy reconcile ks apps --dry-run -o json \
    -- fluxpy reconcile ks apps \
    -- fluxpy get ks apps -o yaml

# The fleet pins podinfo 6.9.2 and the ImagePolicy asks for 6.9.x: 6.9.3 wins.
.venv/bin/python -m tests.apiserver.serve --echo --seed examples/fleet/clusters/prod \
    --git flux-system/flux-system=examples/fleet \
    --registry stefanprodan/podinfo=6.8.0,6.9.2,6.9.3,6.10.0-rc.1 \
    -- fluxpy image update apps --dry-run \
    -- bash examples/ci-image-update.sh \
    -- fluxpy image update apps \
    -- fluxpy get images all \
    -- fluxpy image update apps
