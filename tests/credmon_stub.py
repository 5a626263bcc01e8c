"""A minimal credential monitor (credmon) for the tests: what the Kerberos and OAuth credmons do
for the credd, without contacting Kerberos or OAuth servers.

The credd signals a credmon (SIGHUP to the pid in ``<cred dir>/pid``) after storing a
credential and, when the client asked to wait, answers only once the credmon has "processed"
it: for Kerberos, ``<user>.cred`` becomes ``<user>.cc``; for OAuth, ``<service>.top`` becomes
``<service>.use``.  This script does exactly that on every SIGHUP (and once at start).

Usage: credmon_stub.py KRB_DIR OAUTH_DIR
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def process(krb: Path, oauth: Path) -> None:
    for cred in krb.glob("*.cred"):
        cc = cred.with_suffix(".cc")
        tmp = cc.with_suffix(".cc.tmp")
        tmp.write_bytes(b"processed:" + cred.read_bytes())
        tmp.chmod(0o600)
        tmp.rename(cc)
    for top in oauth.glob("*/*.top"):
        use = top.with_suffix(".use")
        if not use.exists() or use.stat().st_mtime < top.stat().st_mtime:
            tmp = top.with_suffix(".use.tmp")
            tmp.write_bytes(top.read_bytes())
            tmp.chmod(0o600)
            tmp.rename(use)


def main() -> None:
    krb, oauth = Path(sys.argv[1]), Path(sys.argv[2])
    signal.signal(signal.SIGHUP, lambda *_: process(krb, oauth))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    for d in (krb, oauth):
        (d / "pid").write_text(f"{os.getpid()}\n")
    process(krb, oauth)
    print("ready", flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
