#!/usr/bin/env bash
# `fluxpy image update` without a cluster, as a CI job runs it: clone the fleet
# repository the demo serves at $FLUXPY_DEMO_GIT_URL, read the image automation
# objects from the checkout's own YAML (clusters/prod/images.yaml), update the
# marked values and commit in the checkout. `--no-push` keeps the commit in the
# clone: the served repository is left as it was.
set -euo pipefail
: "${FLUXPY_DEMO_GIT_URL:?run me under python -m tests.apiserver.serve --git ... --registry ...}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_PAGER=cat  # ignore your git settings; no pager
echo "\$ git clone \$FLUXPY_DEMO_GIT_URL fleet"
git clone -q "$FLUXPY_DEMO_GIT_URL" fleet
echo "\$ fluxpy image update --all --local --repo fleet --no-push"
fluxpy image update --all --local --repo fleet --no-push
echo "\$ git -C fleet log -1 --stat"
git -C fleet log -1 --stat
