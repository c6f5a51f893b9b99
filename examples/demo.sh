#!/usr/bin/env bash
# Set up fluxpy on this machine and run it on the bundled examples, no cluster
# needed: the test suite's Kubernetes API emulator serves the objects in
# examples/cluster/ (a recording of a Flux cluster's state) over HTTPS, and
# the real fluxpy CLI reads and patches them through its cluster layer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup
fluxpy=.venv/bin/fluxpy
exec .venv/bin/python -m tests.apiserver.serve --echo --seed examples/cluster \
    -- "$fluxpy" get all -A \
    -- "$fluxpy" get ks --status-selector ready=false \
    -- "$fluxpy" suspend ks apps \
    -- "$fluxpy" get ks apps \
    -- "$fluxpy" resume ks apps \
    -- "$fluxpy" get ks apps -o yaml
