"""Credd against the pool's real condor_credd (and master/schedd for the pool password),
cross-checked with the built condor_store_cred and the credd's credential directories."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import time
from pathlib import Path

import pytest

import classad
import htcondor

USER = pwd.getpwuid(os.getuid()).pw_name
SECRET = b"s3cr3t-krb-\x00\x01\xff-bytes"  # binary, with a NUL: credentials are bytes


@pytest.fixture(scope="module")
def dirs(pool):
    return pool.local_dir / "cred_dir" / "krb", pool.local_dir / "cred_dir" / "oauth"


@pytest.fixture(scope="module")
def credd(pool):
    return htcondor.Credd()


def store_cred_cli(pool, *args: str) -> str:
    res = pool.run_command(["condor_store_cred", *args], timeout=60)
    return res.stdout + res.stderr


def test_credd_location_and_repr(pool):
    ad = htcondor.Collector().locate(htcondor.DaemonTypes.Credd)
    c = htcondor.Credd(ad)
    assert c.location.daemon_type == htcondor.DaemonTypes.Credd
    assert c.location.address == ad["MyAddress"]
    assert "Credd" in repr(c) and ad["MyAddress"] in repr(c)
    assert htcondor.Credd().location.address == ""
    with pytest.raises(htcondor.HTCondorValueError):
        htcondor.Credd(classad.ClassAd({"Name": "no address"}))
    with pytest.raises(htcondor.HTCondorValueError):
        htcondor.Credd(42)


def test_cred_types_are_v1_values():
    assert [(m.name, int(m)) for m in htcondor.CredTypes] == [("Kerberos", 32), ("Password", 36), ("OAuth", 40)]
    assert str(htcondor.CredTypes.OAuth) == "OAuth"


def test_kerberos_credential_stored_pending_without_credmon(pool, credd, dirs):
    krb, _ = dirs
    before = int(time.time())
    credd.add_user_cred(htcondor.CredTypes.Kerberos, SECRET)
    stored = krb / f"{USER}.cred"
    assert stored.read_bytes() == SECRET  # the credd wrote exactly our bytes
    when = credd.query_user_cred(htcondor.CredTypes.Kerberos)
    assert isinstance(when, int) and before - 2 <= when <= time.time() + 2
    assert "stored" in store_cred_cli(pool, "query-krb").lower()
    credd.delete_user_cred(htcondor.CredTypes.Kerberos)
    assert not stored.exists()
    assert credd.query_user_cred(htcondor.CredTypes.Kerberos) is None
    assert "no credential" in store_cred_cli(pool, "query-krb").lower()


def test_kerberos_add_waits_for_the_credmon(pool, credd, dirs, tmp_path):
    """With a credmon running, add_user_cred returns only once the credmon processed the
    credential (the credd defers its answer until <user>.cc appears)."""
    krb, oauth = dirs
    stub = subprocess.Popen([sys.executable, str(Path(__file__).with_name("credmon_stub.py")), str(krb), str(oauth)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert stub.stdout is not None and stub.stdout.readline().strip() == "ready"
        credd.add_user_cred(htcondor.CredTypes.Kerberos, SECRET)
        cc = krb / f"{USER}.cc"
        assert cc.read_bytes() == b"processed:" + SECRET  # processed before the call returned
        assert credd.query_user_cred(htcondor.CredTypes.Kerberos) == int(cc.stat().st_mtime)
        credd.delete_user_cred(htcondor.CredTypes.Kerberos)
        assert not cc.exists() and credd.query_user_cred(htcondor.CredTypes.Kerberos) is None
    finally:
        stub.terminate()
        stub.wait(10)
        assert stub.stdout is not None
        stub.stdout.close()
        for d in dirs:
            (d / "pid").write_text("0\n")  # no credmon again


def test_credential_producer(pool, credd, dirs, tmp_path):
    krb, _ = dirs
    producer = tmp_path / "producer.sh"
    producer.write_text("#!/bin/sh\nprintf 'produced-credential'\n")
    producer.chmod(0o755)
    htcondor.param["SEC_CREDENTIAL_PRODUCER"] = str(producer)
    try:
        credd.add_user_cred(htcondor.CredTypes.Kerberos, None)
        assert (krb / f"{USER}.cred").read_bytes() == b"produced-credential"
        producer.write_text("#!/bin/sh\nexit 3\n")
        with pytest.raises(htcondor.HTCondorIOError, match="non-zero exit"):
            credd.add_user_cred(htcondor.CredTypes.Kerberos, None)
        htcondor.param["SEC_CREDENTIAL_PRODUCER"] = "CREDENTIAL_ALREADY_STORED"
        with pytest.raises(htcondor.HTCondorIOError, match="CREDENTIAL_ALREADY_STORED"):
            credd.add_user_cred(htcondor.CredTypes.Kerberos, None)
    finally:
        del htcondor.param["SEC_CREDENTIAL_PRODUCER"]
        credd.delete_user_cred(htcondor.CredTypes.Kerberos)


def test_oauth_service_credentials(pool, credd, dirs):
    _, oauth = dirs
    # OAuth credentials are the JSON documents an OAuth server returns (refresh tokens).
    token = b'{"refresh_token": "refresh-token-for-box"}'
    second = b'{"refresh_token": "second"}'
    credd.add_user_service_cred(htcondor.CredTypes.OAuth, token, "box")
    credd.add_user_service_cred(htcondor.CredTypes.OAuth, second, "box", handle="work")
    assert (oauth / USER / "box.top").read_bytes() == token
    assert (oauth / USER / "box_work.top").read_bytes() == second
    status = credd.query_user_service_cred(htcondor.CredTypes.OAuth, "box")
    assert isinstance(status, htcondor.CredStatus) and "TopboxTime" in str(status)
    every = credd.query_user_service_cred(htcondor.CredTypes.OAuth, "")
    assert "box.top" in str(every) and "box_work.top" in str(every)
    assert credd.query_user_service_cred(htcondor.CredTypes.OAuth, "nothere") is None

    check = credd.check_user_service_creds(htcondor.CredTypes.OAuth, [classad.ClassAd({"Service": "box"}),
                                                                    classad.ClassAd({"Service": "box",
                                                                                     "Handle": "work"})])
    assert check and check.present and check.url is None and check.error is None
    assert check.services == "box,box*work"
    missing = credd.check_user_service_creds(htcondor.CredTypes.OAuth, [classad.ClassAd({"Service": "dropbox"})])
    assert not missing and not missing.present
    assert (missing.url or missing.error)  # where to get it, or why nobody can make it
    assert str(missing) == (missing.url or missing.error)

    credd.delete_user_service_cred(htcondor.CredTypes.OAuth, "box", handle="work")
    assert not (oauth / USER / "box_work.top").exists()
    credd.delete_user_service_cred(htcondor.CredTypes.OAuth, "box")
    assert credd.query_user_service_cred(htcondor.CredTypes.OAuth, "box") is None
    assert "no credential" in store_cred_cli(pool, "query-oauth", "-s", "box").lower()


def test_pool_password_through_the_master(pool, credd):
    """On Unix the password protocol stores only the pool password (condor_pool@domain), which
    the local master writes to SEC_PASSWORD_FILE.  HTCondor cannot answer queries for it on
    Unix (condor_store_cred refuses them): the local schedd has no password store."""
    pool_user = "condor_pool@personal.pool"
    password_file = Path(pool.get_config_val("SEC_PASSWORD_FILE"))
    credd.delete_password(pool_user)  # tolerated when absent
    assert not password_file.exists()
    credd.add_password("pool-pa55word", pool_user)
    assert password_file.stat().st_size > 0 and password_file.stat().st_mode & 0o077 == 0
    credd.delete_password(pool_user)
    assert not password_file.exists()
    # The CLI writes the same file the same way; our delete removes what it stored.
    store_cred_cli(pool, "add", "-c", "-p", "cli-pa55word")
    assert password_file.exists()
    credd.delete_password(pool_user)
    assert not password_file.exists()
    with pytest.raises(htcondor.HTCondorIOError, match="keeps no passwords"):
        credd.query_password(pool_user)
    # A plain user's password is a Windows feature: refused.
    with pytest.raises(htcondor.HTCondorIOError, match="keeps no passwords"):
        credd.add_password("user-password")


def test_bad_arguments_raise_documented_errors(credd):
    with pytest.raises(htcondor.HTCondorEnumError):
        credd.add_user_cred(htcondor.CredTypes.OAuth, b"x")  # OAuth needs a service
    with pytest.raises(htcondor.HTCondorEnumError):
        credd.add_user_cred(99, b"x")  # type: ignore[arg-type]
    with pytest.raises(htcondor.HTCondorEnumError):
        credd.add_user_service_cred(htcondor.CredTypes.Kerberos, b"x", "svc")
    with pytest.raises(htcondor.HTCondorValueError, match="empty"):
        credd.add_user_cred(htcondor.CredTypes.Kerberos, b"")
    with pytest.raises(htcondor.HTCondorValueError, match="empty"):
        credd.add_password("")
    with pytest.raises(htcondor.HTCondorValueError, match="buffer"):
        credd.add_user_cred(htcondor.CredTypes.Kerberos, 12345)
    with pytest.raises(htcondor.HTCondorValueError, match="service"):
        credd.add_user_service_cred(htcondor.CredTypes.OAuth, b"x", "", handle="h")
    with pytest.raises(htcondor.HTCondorValueError, match="user"):
        credd.query_user_cred(htcondor.CredTypes.Kerberos, user="x")
    with pytest.raises(htcondor.HTCondorValueError, match="Service"):
        credd.check_user_service_creds(htcondor.CredTypes.OAuth, [classad.ClassAd({"Handle": "h"})])


def test_unreachable_credd_raises_io_error():
    dead = htcondor.Credd(classad.ClassAd({"MyAddress": "<127.0.0.1:1>"}))
    with pytest.raises(htcondor.HTCondorIOError, match="Communication error"):
        dead.add_user_cred(htcondor.CredTypes.Kerberos, b"x")
    with pytest.raises(htcondor.HTCondorIOError):
        dead.query_user_cred(htcondor.CredTypes.Kerberos)
    with pytest.raises(htcondor.HTCondorIOError, match="OAuth"):
        dead.check_user_service_creds(htcondor.CredTypes.OAuth, [classad.ClassAd({"Service": "a"})])


SECRETS_SCRIPT = r"""
import sys, classad, htcondor
secret = sys.argv[1]
credd = htcondor.Credd()
htcondor.enable_debug()
credd.add_user_cred(htcondor.CredTypes.Kerberos, secret.encode())
credd.add_user_service_cred(htcondor.CredTypes.OAuth, ('{"refresh_token": "%s"}' % secret).encode(), "vault")
for call in (lambda: htcondor.Credd(classad.ClassAd({"MyAddress": "<127.0.0.1:1>"})).add_user_cred(
                 htcondor.CredTypes.Kerberos, secret.encode()),
             lambda: credd.add_password(secret)):  # refused for a plain user on Unix
    try:
        call()
    except htcondor.HTCondorIOError as err:
        print("ERROR:", err, repr(err))
    else:
        raise SystemExit("expected a refusal")
status = credd.query_user_service_cred(htcondor.CredTypes.OAuth, "vault")
print("REPR:", repr(credd), repr(status), str(status))
credd.delete_user_cred(htcondor.CredTypes.Kerberos)
credd.delete_user_service_cred(htcondor.CredTypes.OAuth, "vault")
"""


def test_secrets_never_appear_in_output_or_errors(pool):
    """With debug output on, the bindings' output, reprs and exception texts (and the daemons'
    logs) never contain the credential or password."""
    secret = "TOPSECRET-" + os.urandom(8).hex()
    res = subprocess.run([sys.executable, "-c", SECRETS_SCRIPT, secret], env=pool.env(), capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count("ERROR:") == 2 and "REPR:" in res.stdout
    assert "STORE_CRED" in res.stderr  # the debug output was on
    assert secret not in res.stdout + res.stderr
    logs = "".join(p.read_text(errors="replace") for p in pool.log_dir.iterdir() if p.is_file())
    assert secret not in logs
