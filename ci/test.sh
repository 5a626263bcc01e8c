#!/usr/bin/env bash
# The README's test command: set everything up, then run the whole test suite against a real
# personal HTCondor pool as the unprivileged user.  Extra arguments go to pytest.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
source "$here/env.sh"
venv=$(bash "$here/setup.sh" | tail -n1)
work=$(readable_copy "$repo/tests" "$repo/examples" "$repo/pyproject.toml")
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "[test] running pytest as $( [[ $(id -u) == 0 ]] && echo "$HTCONDOR_PYBIND_USER" || id -un ) in $work" >&2
export HTCPB_ORACLE_PYTHON="$HTCONDOR_PYBIND_CACHE/oracle-venv/bin/python"
run_unprivileged env HTCPB_ORACLE_PYTHON="$HTCPB_ORACLE_PYTHON" HTCPB_EXAMPLES="$work/examples" \
  "$venv/bin/python" -m pytest -p no:cacheprovider tests "$@"
