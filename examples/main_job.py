#!/usr/bin/env python3
"""The main job: start a personal HTCondor pool and look at it through the bindings and the CLI.

(Until job submission lands this is the smaller demo the README promises; it becomes the seed's
sleep-job example once Submit, Schedd.submit and JobEventLog work.)
"""

import htcondor
from htcondor.personal import PersonalPool

with PersonalPool() as pool:
    print(htcondor.version())
    print("collector:", htcondor.param["COLLECTOR_HOST"])
    print("negotiator interval:", htcondor.param["NEGOTIATOR_INTERVAL"])
    print(pool.run_command(["condor_status"], check=True).stdout)
