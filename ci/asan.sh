#!/usr/bin/env bash
# AddressSanitizer run: build both extensions with -fsanitize=address (HTCPB_SANITIZE=address)
# into a venv and build directory of their own, then run a representative part of the test suite
# under ASan as the unprivileged pool user.  Extra arguments go to pytest (test paths replace the
# default subset).  Prints the time each step took.
#
#   bash ci/asan.sh                       the subset below
#   bash ci/asan.sh tests/test_classad.py -x
#
# Only the extensions are instrumented: HTCondor's libraries are not rebuilt.  ASan's allocator
# still replaces malloc/free for the whole process, so heap misuse involving memory the bindings
# allocate or free is caught wherever it happens.  CPython is not linked with ASan, so the
# runtime is preloaded (LD_PRELOAD=$(gcc -print-file-name=libasan.so), with libstdc++); PYTHONMALLOC=malloc sends
# Python's own allocations through it too.  Leak detection is off (CPython frees little at exit;
# tests/test_leaks.py measures leaks instead).  Programs the tests start other than Python (the
# pool's daemons, command-line tools) are started without the preload, so they run normally;
# Python processes keep it (ci/asan_site/sitecustomize.py).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
source "$here/env.sh"
log() { printf '[asan %s] %s\n' "$(date +%T)" "$*" >&2; }
start=$SECONDS

prefix=$(bash "$here/build-htcondor.sh" | tail -n1)
ensure_debs python3 python3-venv python3-dev gcc ccache
libasan=$(gcc -print-file-name=libasan.so)
[[ -f $libasan ]] || { echo "no libasan.so for $(gcc --version | head -n1)" >&2; exit 1; }
# libstdc++ is preloaded too: python is not linked with it, and ASan's __cxa_throw interceptor
# fails its CHECK (real___cxa_throw == 0) on the first C++ exception unless it is there at start.
libstdcxx=$(gcc -print-file-name=libstdc++.so.6)
preload="$libasan $libstdcxx"

venv="$HTCONDOR_PYBIND_CACHE/venv-asan"
if [[ ! -x "$venv/bin/python" ]]; then
  log "creating $venv"
  /usr/bin/python3 -m venv "$venv"
fi
reqs=(pip "scikit-build-core>=0.11" "pybind11>=3" "pytest>=7" "hypothesis>=6" "numpy>=1.21" "atheris>=2.3")
if ! "$venv/bin/python" -c 'import scikit_build_core, pybind11, pytest, hypothesis, numpy, atheris' 2>/dev/null; then
  log "installing build and test requirements into $venv"
  "$venv/bin/python" -m pip install -q --upgrade "${reqs[@]}" >&2
fi

step=$SECONDS
log "building htcondor-pybind with -fsanitize=address (build dir $HTCONDOR_PYBIND_CACHE/build-asan)"
CCACHE_DIR="${CCACHE_DIR:-$HTCONDOR_PYBIND_CACHE/ccache}" HTCONDOR_PREFIX="$prefix" \
  "$venv/bin/python" -m pip install -q --no-build-isolation --force-reinstall --no-deps \
  -Cbuild-dir="$HTCONDOR_PYBIND_CACHE/build-asan" -Ccmake.build-type=RelWithDebInfo \
  -Ccmake.define.HTCPB_SANITIZE=address -Ccmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache "$repo" >&2
chmod -R a+rX "$venv"
build_time=$((SECONDS - step))
log "build took ${build_time} s"

# Representative subset: parsers and values (classad), submit descriptions, event logs, columns,
# schedd query/submit against the session pool, and both fuzzers (hypothesis and atheris).
paths=(tests/test_classad.py tests/test_submit.py tests/test_event_log.py tests/test_columns.py
       tests/test_schedd.py tests/test_fuzz.py tests/test_atheris.py)
for a in "$@"; do [[ $a == tests/* ]] && paths=(); done
# libclassad loads user function libraries with RTLD_DEEPBIND, which the ASan runtime refuses
# (a fatal report); that one test of classad.registerLibrary runs in the normal suite only.
deselect=(--deselect tests/test_classad.py::test_version_and_last_error)

work=$(readable_copy "$repo/tests" "$repo/examples" "$repo/pyproject.toml" "$here/asan_site")
trap 'rm -rf "$work"' EXIT
cd "$work"
step=$SECONDS
log "running ${paths[*]} $* under ASan"
status=0
run_unprivileged env LD_PRELOAD="$preload" PYTHONPATH="$work/asan_site" PYTHONMALLOC=malloc \
  ASAN_OPTIONS="log_path=$work/asan-report:detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=86:print_summary=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=0" \
  HTCPB_ATHERIS_RUNS="${HTCPB_ATHERIS_RUNS:-1000}" HTCPB_FUZZ_EXAMPLES="${HTCPB_FUZZ_EXAMPLES:-200}" \
  HTCPB_ORACLE_PYTHON="$HTCONDOR_PYBIND_CACHE/oracle-venv/bin/python" HTCPB_EXAMPLES="$work/examples" \
  "$venv/bin/python" -m pytest -p no:cacheprovider -q "${deselect[@]}" "${paths[@]}" "$@" || status=$?
# Reports go to files (pytest captures the tests' stderr, and a report ends the process).
for f in "$work"/asan-report.*; do
  [[ -f $f ]] || continue
  echo "=== ASan report $f" >&2
  head -n 200 "$f" >&2
  [[ $status == 0 ]] && status=86
done
log "tests took $((SECONDS - step)) s (exit status $status; 86 is an ASan report)"
log "ASan step finished in $((SECONDS - start)) s (build ${build_time} s)"
exit "$status"
