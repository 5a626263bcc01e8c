#!/usr/bin/env bash
# Everything the README's two commands need, idempotent: the native HTCondor build (cached),
# a Python the unprivileged pool user can run, this package installed into a venv, that user.
#
# Prints the venv path on the last line.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
source "$here/env.sh"
log() { printf '[setup %s] %s\n' "$(date +%T)" "$*" >&2; }

prefix=$(bash "$here/build-htcondor.sh" | tail -n1)

# The machine's default Python may live somewhere the pool user cannot reach (root's home is
# mode 700), so the venv is made from Debian's python3, in the cache, readable by everyone.
ensure_debs python3 python3-venv python3-dev
venv="$HTCONDOR_PYBIND_CACHE/venv"
if [[ ! -x "$venv/bin/python" ]]; then
  log "creating $venv"
  /usr/bin/python3 -m venv "$venv"
fi
reqs=(pip "scikit-build-core>=0.11" "pybind11>=3" "pytest>=7" "mypy>=1.8" "hypothesis>=6" "sphinx>=7" "numpy>=1.21" "atheris>=2.3")
if ! "$venv/bin/python" -c 'import scikit_build_core, pybind11, pytest, mypy, hypothesis, sphinx, numpy, atheris' 2>/dev/null; then
  log "installing build and test requirements into the venv"
  "$venv/bin/python" -m pip install -q --upgrade "${reqs[@]}" >&2
fi

log "building and installing htcondor-pybind (HTCondor at $prefix)"
HTCONDOR_PREFIX="$prefix" "$venv/bin/python" -m pip install -q --no-build-isolation \
  -Cbuild-dir="$HTCONDOR_PYBIND_CACHE/build-pkg" "$repo" >&2
chmod -R a+rX "$venv"

# The reference the differential tests and benchmarks compare against: the official v1 modules
# (and htcondor2) of the same HTCondor generation, in a venv of their own.
oracle="$HTCONDOR_PYBIND_CACHE/oracle-venv"
if [[ ! -x "$oracle/bin/python" ]] || ! "$oracle/bin/python" -c 'import htcondor, htcondor2' 2>/dev/null; then
  log "installing the reference bindings (htcondor==23.10.29) into $oracle"
  /usr/bin/python3 -m venv "$oracle"
  "$oracle/bin/python" -m pip install -q "htcondor==23.10.29" >&2
fi
chmod -R a+rX "$oracle"

if [[ $(id -u) == 0 ]] && ! id "$HTCONDOR_PYBIND_USER" >/dev/null 2>&1; then
  log "creating the unprivileged user $HTCONDOR_PYBIND_USER (HTCondor refuses root's jobs)"
  useradd --create-home --shell /bin/bash "$HTCONDOR_PYBIND_USER"
fi
echo "$venv"
