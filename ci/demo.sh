#!/usr/bin/env bash
# The README's first command: build everything, then run the main job against a personal pool.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
source "$here/env.sh"
venv=$(bash "$here/setup.sh" | tail -n1)
work=$(readable_copy "$repo/examples")
trap 'rm -rf "$work"' EXIT
cd "$work"
run_unprivileged "$venv/bin/python" examples/main_job.py "$@"
