#!/usr/bin/env bash
# The README's test command: set everything up, then run the whole test suite against a real
# personal HTCondor pool as the unprivileged user.  Extra arguments go to pytest.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
source "$here/env.sh"
venv=$(bash "$here/setup.sh" | tail -n1)
work=$(readable_copy "$repo/tests" "$repo/examples" "$repo/docs" "$repo/src" "$repo/pyproject.toml")
trap 'rm -rf "$work"' EXIT
cd "$work"
# The whole suite unless test paths were given.
paths=(tests)
for a in "$@"; do [[ $a == tests/* ]] && paths=(); done
echo "[test] running pytest as $( [[ $(id -u) == 0 ]] && echo "$HTCONDOR_PYBIND_USER" || id -un ) in $work" >&2
export HTCPB_ORACLE_PYTHON="$HTCONDOR_PYBIND_CACHE/oracle-venv/bin/python"
run_unprivileged env HTCPB_ORACLE_PYTHON="$HTCPB_ORACLE_PYTHON" HTCPB_EXAMPLES="$work/examples" \
  HTCPB_FUZZ_EXAMPLES="${HTCPB_FUZZ_EXAMPLES:-300}" HTCPB_FUZZ_RANDOM="${HTCPB_FUZZ_RANDOM:-}" \
  "$venv/bin/python" -m pytest -p no:cacheprovider "${paths[@]}" "$@"
