#!/usr/bin/env bash
# Long coverage-guided fuzz runs (atheris), the documented command beside the fixed-corpus run the
# test suite does (tests/test_atheris.py).  Not part of CI.
#
#   bash ci/fuzz.sh [SECONDS] [TARGET ...]     default: 300 s for each target of the harness
#
# Each target starts from its seeds (tests/fuzz/corpus/TARGET) and a corpus that grows across runs
# in $HTCONDOR_PYBIND_CACHE/fuzz/corpus/TARGET; crashes, hangs and memory blow-ups are written to
# $HTCONDOR_PYBIND_CACHE/fuzz/artifacts/ (reproduce one with
# `python tests/fuzz/atheris_harness.py TARGET FILE`).  Prints, per target, the runs made, the
# corpus size and the exit status; exits non-zero if any target found something.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
source "$here/env.sh"
log() { printf '[fuzz %s] %s\n' "$(date +%T)" "$*" >&2; }

seconds=${1:-300}
shift || true
venv=$(bash "$here/setup.sh" | tail -n1)
harness="$repo/tests/fuzz/atheris_harness.py"
targets=("$@")
if [[ ${#targets[@]} == 0 ]]; then
  mapfile -t targets < <(CONDOR_CONFIG=/dev/null "$venv/bin/python" "$harness" --list)
fi
base="$HTCONDOR_PYBIND_CACHE/fuzz"
mkdir -p "$base/artifacts"
status=0
for t in "${targets[@]}"; do
  corpus="$base/corpus/$t"
  mkdir -p "$corpus"
  log "$t: ${seconds} s (corpus $corpus, seeds $repo/tests/fuzz/corpus/$t)"
  out=$(mktemp)
  rc=0
  CONDOR_CONFIG=/dev/null "$venv/bin/python" "$harness" "$t" -max_total_time="$seconds" -max_len=4096 \
    -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$base/artifacts/$t-" \
    "$corpus" "$repo/tests/fuzz/corpus/$t" >"$out" 2>&1 || rc=$?
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$out" | grep -oE '[0-9]+$' || echo '?')
  log "$t: exit status $rc, $runs runs, corpus now $(find "$corpus" -type f | wc -l) inputs"
  if [[ $rc != 0 ]]; then
    status=1
    tail -n 40 "$out" >&2
  fi
  rm -f "$out"
done
[[ $status == 0 ]] && log "no crash, hang or memory blow-up" || log "findings in $base/artifacts"
exit "$status"
