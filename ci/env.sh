# Shared settings for the ci/ scripts (sourced, not run).
#
# The cache lives outside the checkout and must be readable by the unprivileged user that runs
# the personal pool (root's home is mode 700), hence /var/cache when we are root.
if [[ -z "${HTCONDOR_PYBIND_CACHE:-}" ]]; then
  if [[ $(id -u) == 0 ]]; then
    HTCONDOR_PYBIND_CACHE=/var/cache/htcondor-pybind
  else
    HTCONDOR_PYBIND_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/htcondor-pybind"
  fi
fi
export HTCONDOR_PYBIND_CACHE
mkdir -p "$HTCONDOR_PYBIND_CACHE"
[[ $(id -u) == 0 ]] && chmod 755 "$HTCONDOR_PYBIND_CACHE"

# The unprivileged account the pool and the tests run as when we are root (HTCondor refuses
# jobs owned by root).
HTCONDOR_PYBIND_USER="${HTCONDOR_PYBIND_USER:-htcpb}"
export HTCONDOR_PYBIND_USER

as_root() {
  if [[ $(id -u) == 0 ]]; then "$@"; else sudo -n "$@"; fi
}

# The Debian archive this machine's apt already uses (deb822 or one-line format); never hard-coded.
debian_mirror() {
  local uri
  uri=$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 2>/dev/null \
        | grep -v -- '-security' | grep -E '/debian/?$' | head -n1)
  if [[ -z "$uri" ]]; then
    uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' \
          | grep -v -- '-security' | grep -E '/debian/?$' | head -n1)
  fi
  if [[ -z "$uri" ]]; then
    uri=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
          | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}' \
          | grep -v -- '-security' | grep -E '/debian/?$' | head -n1)
  fi
  [[ -n "$uri" ]] || { echo "no Debian archive found in the apt configuration" >&2; return 1; }
  echo "${uri%/}"
}

# Run a command as the unprivileged pool user when we are root, with that user's environment
# basics (HTCondor tools read HOME and USER); as ourselves otherwise.
run_unprivileged() {
  if [[ $(id -u) == 0 ]]; then
    local home
    home=$(getent passwd "$HTCONDOR_PYBIND_USER" | cut -d: -f6)
    runuser -u "$HTCONDOR_PYBIND_USER" -- env HOME="$home" USER="$HTCONDOR_PYBIND_USER" \
      LOGNAME="$HTCONDOR_PYBIND_USER" "$@"
  else
    "$@"
  fi
}

# A copy of some of the checkout that the pool user can read (the checkout may sit in root's
# home).  Prints the directory.
readable_copy() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/htcondor-pybind.XXXXXX")
  cp -r "$@" "$dir/"
  chmod -R a+rX "$dir"
  if [[ $(id -u) == 0 ]]; then chown -R "$HTCONDOR_PYBIND_USER" "$dir"; fi
  echo "$dir"
}

# Install the Debian packages that are missing (quietly), as root or through sudo.
ensure_debs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "[ci] installing Debian packages: ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}
