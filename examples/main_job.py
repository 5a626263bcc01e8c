#!/usr/bin/env python3
"""The main job: start a personal HTCondor pool and run the seed example against it.

``sleep_job.py`` is the first example of the htcondor API reference ("Reading Job Events"),
verbatim: it submits ``/bin/sleep 5`` with ``Schedd().submit`` and follows the job's event log
with ``JobEventLog`` until the job terminates.  It runs as a user's script would, in its own
process whose configuration (``CONDOR_CONFIG``) points at the pool.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import htcondor
from htcondor.personal import PersonalPool

example = Path(__file__).with_name("sleep_job.py")

with PersonalPool() as pool, tempfile.TemporaryDirectory() as workdir:
    print(f"personal pool up: {htcondor.version()}, collector {pool.collector_address}")
    print(pool.run_command(["condor_status"], check=True).stdout)
    result = subprocess.run([sys.executable, str(example)], cwd=workdir, env=pool.env(), timeout=300)
    print(pool.run_command(["condor_history", "-af", "ClusterId", "ProcId", "Cmd", "Args", "ExitCode"]).stdout)
    sys.exit(result.returncode)
