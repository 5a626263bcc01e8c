#!/usr/bin/env bash
# Run the benchmarks (benchmarks/run.py) as the pool user, against a personal pool, side by
# side with the official modules; results land in benchmarks/results/.  Arguments go to run.py.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
source "$here/env.sh"
venv=$(bash "$here/setup.sh" | tail -n1)
work=$(readable_copy "$repo/benchmarks" "$repo/tests")
trap 'rm -rf "$work"' EXIT
cd "$work"
run_unprivileged env HTCPB_ORACLE_PYTHON="$HTCONDOR_PYBIND_CACHE/oracle-venv/bin/python" \
  "$venv/bin/python" benchmarks/run.py "$@"
mkdir -p "$repo/benchmarks/results"
cp "$work"/benchmarks/results/* "$repo/benchmarks/results/"
