#!/usr/bin/env bash
# valgrind memcheck over the binding layer: ci/valgrind_workload.py (every area once per round,
# offline and against a personal pool; the daemons are other processes and are not traced) runs
# under memcheck as the unprivileged pool user, with Python's allocations sent through malloc.
#
#   bash ci/valgrind.sh [ROUNDS]        default 20 rounds offline, 5 against the pool
#
# Reported, from memcheck's XML: every error (invalid read/write, use of uninitialised values,
# bad free) and every definite leak whose stack passes through the extensions
# (htcondor/_core*.so, classad/_core*.so).  Errors wholly inside CPython, libc or OpenSSL are
# counted but not held against us.  Exits non-zero if the binding layer has any.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
source "$here/env.sh"
log() { printf '[valgrind %s] %s\n' "$(date +%T)" "$*" >&2; }
start=$SECONDS
rounds=${1:-20}

venv=$(bash "$here/setup.sh" | tail -n1)
ensure_debs valgrind
work=$(readable_copy "$here/valgrind_workload.py" "$repo/tests/data")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ci" "$work/tests" && mv "$work/valgrind_workload.py" "$work/ci/" && mv "$work/data" "$work/tests/"
chmod -R a+rwX "$work"
xml="$work/memcheck.xml"
log "running the workload ($rounds rounds) under memcheck"
rc=0
run_unprivileged env PYTHONMALLOC=malloc PATH="$(bash "$here/build-htcondor.sh" | tail -n1)/bin:$PATH" \
  valgrind --tool=memcheck --trace-children=no --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite --num-callers=40 --xml=yes --xml-file="$xml" \
  "$venv/bin/python" "$work/ci/valgrind_workload.py" "$rounds" || rc=$?
log "workload exit status $rc after $((SECONDS - start)) s"
"$venv/bin/python" - "$xml" "$rc" <<'EOF'
import re
import sys
import xml.etree.ElementTree as ET

path, rc = sys.argv[1], int(sys.argv[2])
root = ET.parse(path).getroot()
ours = re.compile(r"/(htcondor|classad)/_core[^/]*\.so$")
total, mine = 0, []
for err in root.iter("error"):
    total += 1
    frames = [f for f in err.iter("frame")]
    if any(ours.search(f.findtext("obj", "")) for f in frames):
        what = err.findtext("kind", "") + ": " + (err.findtext("what") or err.findtext("xwhat/text") or "")
        stack = "\n".join(f"    {f.findtext('fn', '?')} ({(f.findtext('obj') or '').rsplit('/', 1)[-1]})"
                          for f in frames[:14])
        mine.append(f"{what}\n{stack}")
kinds = {}
for err in root.iter("error"):
    objs = [f.findtext("obj", "?").rsplit("/", 1)[-1] for f in err.iter("frame")]
    top = next((o for o in objs if not o.startswith("vgpreload")), "?")
    key = f"{err.findtext('kind', '?')} in {top}"
    kinds[key] = kinds.get(key, 0) + 1
print(f"[valgrind] memcheck: {total} error records in all, {len(mine)} through the binding layer")
for key, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
    print(f"[valgrind]   {n} x {key}")
for m in mine:
    print(m)
sys.exit(1 if mine or rc != 0 else 0)
EOF
log "finished in $((SECONDS - start)) s"
