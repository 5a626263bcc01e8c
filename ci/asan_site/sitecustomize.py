"""For ci/asan.sh: Python runs with the ASan runtime preloaded (LD_PRELOAD).  Python processes the
tests start with this same interpreter (probes, fuzzers: ``sys.executable``) keep it, since the instrumented extensions need
the runtime loaded first; every other program (the pool's daemons, HTCondor's command-line
tools, compilers, the reference venv's Python with the official modules) is started without it.  The preload stays
available as HTCPB_ASAN_PRELOAD."""

import os
import subprocess
import sys

_preload = os.environ.get("LD_PRELOAD")
if _preload:
    os.environ["HTCPB_ASAN_PRELOAD"] = _preload
    _popen_init = subprocess.Popen.__init__

    def _program(args, kw):
        if kw.get("executable"):
            return os.fsdecode(kw["executable"])
        if kw.get("shell"):
            return ""
        if isinstance(args, (str, bytes, os.PathLike)):
            return os.fsdecode(args)
        return os.fsdecode(args[0]) if args else ""

    def _init(self, args, *rest, **kw):
        prog = _program(args, kw)
        if not prog or os.path.abspath(prog) != os.path.abspath(sys.executable):
            env = dict(kw["env"] if kw.get("env") is not None else os.environ)
            env.pop("LD_PRELOAD", None)
            env.pop("PYTHONMALLOC", None)  # the official module's own use-after-free shows under malloc
            kw["env"] = env
        _popen_init(self, args, *rest, **kw)

    subprocess.Popen.__init__ = _init
