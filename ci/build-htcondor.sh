#!/usr/bin/env bash
# Build the native dependency: HTCondor 23.9.6 (libcondor_utils, libclassad, and the daemons and
# tools a personal pool needs) from Debian's `condor` source package, into a cache directory
# outside the checkout.  A second run with the cache present only checks the stamp.
#
#   ci/build-htcondor.sh            build (or reuse) and print the prefix on the last line
#   HTCONDOR_PYBIND_CACHE=DIR       where the cache lives (default: see ci/env.sh)
#
# The orig tarball is fetched with apt through a private configuration (the machine's own apt
# sources stay untouched); the archive's address is read from the machine's apt configuration.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=ci/env.sh
source "$here/env.sh"

version=23.9.6
orig=condor_${version}+dfsg.orig.tar.xz
orig_sha256=f515dcf37a8bfed0ecb6f344b606ab09eb3d74e779ba08e9bfdc7dfd31273190

cmake_flags=(
  -G Ninja
  -DCMAKE_BUILD_TYPE=RelWithDebInfo
  -DPROPER=ON -DWITH_PYTHON_BINDINGS=OFF -DWITH_BLAHP=OFF -DWITH_VOMS=OFF -DWITH_GANGLIA=OFF
  -DWITH_LIBVIRT=OFF -DHAVE_BOINC=OFF -DENABLE_JAVA_TESTS=OFF -DWITH_SCITOKENS=ON
  -DBUILD_TESTING=OFF
)
# Everything the bindings link against, the daemons of a personal pool and the CLI tools the
# tests cross-check with.  Adding a name here rebuilds only that target in the kept build tree.
targets=(
  condor_utils classad
  condor_master condor_collector condor_negotiator condor_schedd condor_startd condor_shadow
  condor_starter condor_procd condor_credd
  condor_submit condor_q condor_status condor_history condor_config_val condor_token_create
  condor_on condor_rm condor_qedit condor_userprio condor_store_cred condor_ping condor_drain
  condor_version condor_token_list condor_token_request_approve condor_token_request_list
  condor_advertise condor_wait condor_userlog condor_dagman condor_submit_dag
)

key=$(printf '%s\n' "$version" "${cmake_flags[@]}" "g0-launcher-1" | sha256sum | cut -c1-12)
prefix="$HTCONDOR_PYBIND_CACHE/htcondor-$version-$key"
stamp="$prefix/.built-targets"
log() { printf '[build-htcondor %s] %s\n' "$(date +%T)" "$*" >&2; }

# The orig tarball into $dl (cached there; checksum verified).
fetch_orig() {
  dl="$HTCONDOR_PYBIND_CACHE/downloads"
  mkdir -p "$dl"
  # A tarball fetched beforehand (HTCONDOR_ORIG_TARBALL; cibuildwheel's containers have no apt):
  # used when its checksum is the expected one.
  if [[ -n "${HTCONDOR_ORIG_TARBALL:-}" && -f "$HTCONDOR_ORIG_TARBALL" ]] \
     && echo "$orig_sha256  $HTCONDOR_ORIG_TARBALL" | sha256sum -c --status; then
    cp "$HTCONDOR_ORIG_TARBALL" "$dl/$orig"
  fi
  if ! echo "$orig_sha256  $dl/$orig" | sha256sum -c --status 2>/dev/null; then
    log "fetching $orig from Debian's archive (suite trixie) through a private apt configuration"
    papt=$(mktemp -d)
    trap 'rm -rf "$papt"' EXIT
    mirror=$(debian_mirror)
    mkdir -p "$papt/lists/partial" "$papt/cache/archives/partial" "$papt/parts"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" \
      >"$papt/sources.list"
    aptopts=(-o "Dir::Etc::SourceList=$papt/sources.list" -o "Dir::Etc::SourceParts=$papt/parts"
             -o "Dir::State::Lists=$papt/lists" -o "Dir::Cache=$papt/cache"
             -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
    apt-get "${aptopts[@]}" -qq update >&2
    # Only the orig tarball is served (not the .dsc), so take its URI and fetch just that file.
    uri=$(apt-get "${aptopts[@]}" source --print-uris "condor=$version+dfsg-2.1" 2>/dev/null \
          | awk -v f="$orig" '$2 == f { gsub("\047", "", $1); print $1 }')
    [[ -n "$uri" ]] || { log "condor $version not found in trixie's Sources index"; exit 1; }
    /usr/lib/apt/apt-helper "${aptopts[@]}" download-file "$uri" "$dl/$orig" "SHA256:$orig_sha256" >&2
  fi
  echo "$orig_sha256  $dl/$orig" | sha256sum -c --status || { log "checksum mismatch for $orig"; exit 1; }
}

# --fetch-only DIR: only fetch the orig tarball, into DIR (for cibuildwheel's containers).
if [[ "${1:-}" == --fetch-only ]]; then
  fetch_orig
  mkdir -p "$2" && cp "$dl/$orig" "$2/"
  log "fetched $2/$orig"
  exit 0
fi

if [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "${targets[*]}" ]]; then
  log "cache hit: $prefix"
  echo "$prefix"
  exit 0
fi

# --- build dependencies (Debian 12 and 13) ---------------------------------------------------
deps=(build-essential cmake ninja-build ccache xz-utils patchelf
      libssl-dev libkrb5-dev libpcre2-dev libcurl4-openssl-dev libexpat1-dev uuid-dev
      libsqlite3-dev libmunge-dev libscitokens-dev libxml2-dev libldap-dev libpam0g-dev
      libboost-dev libcap-dev libsystemd-dev)
# Without apt (the manylinux containers of cibuildwheel, AlmaLinux): the caller installed the
# equivalents (pyproject.toml's [tool.cibuildwheel] before-all does, with dnf).
if command -v dpkg-query >/dev/null 2>&1; then
  ensure_debs "${deps[@]}"
else
  log "no dpkg: assuming the build dependencies are installed"
fi

mkdir -p "$prefix"
src="$prefix/src"
build="$prefix/build"

# --- source ----------------------------------------------------------------------------------
if [[ ! -f "$src/.unpacked" ]]; then
  fetch_orig
  echo "$orig_sha256  $dl/$orig" | sha256sum -c --status || { log "checksum mismatch for $orig"; exit 1; }
  rm -rf "$src"
  mkdir -p "$src"
  tar -xJf "$dl/$orig" -C "$src" --strip-components=1
  touch "$src/.unpacked"
fi

# --- configure -------------------------------------------------------------------------------
# HTCondor's CMake forces -O2 -g3; a launcher that appends -g0 after ccache halves compile time.
launcher="$prefix/cc-launcher"
cat >"$launcher" <<'EOF'
#!/bin/sh
exec ccache "$@" -g0
EOF
chmod +x "$launcher"
export CCACHE_DIR="${CCACHE_DIR:-$HTCONDOR_PYBIND_CACHE/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
if [[ ! -f "$build/build.ninja" ]]; then
  log "configuring in $build"
  mkdir -p "$build"
  cmake -S "$src" -B "$build" "${cmake_flags[@]}" \
    -DCMAKE_C_COMPILER_LAUNCHER="$launcher" -DCMAKE_CXX_COMPILER_LAUNCHER="$launcher" \
    >"$build/configure.log" 2>&1 || { tail -50 "$build/configure.log" >&2; exit 1; }
fi

# --- build -----------------------------------------------------------------------------------
log "building ${#targets[@]} targets with $(nproc) jobs (progress every 50 steps)"
start=$SECONDS
if ! ninja -C "$build" -j"$(nproc)" "${targets[@]}" 2>&1 \
     | tee "$build/build.log" \
     | awk '/^\[[0-9]+\/[0-9]+\]/ { split(substr($1, 2), a, "/"); if (a[1] % 50 == 0 || a[1] == a[2]) { print "  " $1; fflush() } }
            /FAILED|error:/ { print; fflush() }' >&2; then
  log "build failed; last lines of $build/build.log:"; tail -40 "$build/build.log" >&2; exit 1
fi
log "built in $((SECONDS - start)) s"

# --- lay out the prefix: bin/ sbin/ libexec/ lib/ include/ ------------------------------------
mkdir -p "$prefix/bin" "$prefix/sbin" "$prefix/lib" "$prefix/libexec"
while IFS= read -r f; do
  name=$(basename "$f")
  case "$name" in
    condor_master|condor_collector|condor_negotiator|condor_schedd|condor_startd|condor_shadow|\
    condor_starter|condor_procd|condor_credd) install -m 755 "$f" "$prefix/sbin/$name" ;;
    *) install -m 755 "$f" "$prefix/bin/$name" ;;
  esac
done < <(find "$build" -type f -perm -u+x -name 'condor_*' ! -name '*.so*' ! -path '*/CMakeFiles/*')
# Each shared library once, as a real file named by its SONAME (wheels cannot hold symlinks),
# finding its siblings through $ORIGIN rather than the build tree.
for lib in "$build"/src/condor_utils/libcondor_utils_*.so "$build"/src/classad/libclassad.so; do
  soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
  install -m 755 "$(readlink -f "$lib")" "$prefix/lib/$soname"
  patchelf --set-rpath '$ORIGIN' "$prefix/lib/$soname"
done
# condor_on and condor_rm are multi-call binaries: HTCondor installs the other names as links.
for t in condor_off condor_restart condor_reconfig condor_vacate condor_set_shutdown; do
  ln -sf condor_on "$prefix/bin/$t"
done
for t in condor_hold condor_release condor_suspend condor_continue condor_vacate_job; do
  ln -sf condor_rm "$prefix/bin/$t"
done
# Generated config.h of the same configure (feature macros must match the linked library).
mkdir -p "$prefix/include"
cp "$build/src/condor_includes/config.h" "$prefix/include/config.h"
chmod -R a+rX "$prefix"
echo "${targets[*]}" >"$stamp"
log "done: $prefix"
echo "$prefix"
