"""IDTOKENS end to end: a token request approved by the pool's administrator, and a second pool
that accepts nothing but IDTOKENS (with integrity), where clients with no token, a forged token,
an expired token or a too-narrow token are refused and a valid token reads and writes.

Clients of the IDTOKENS pool run in subprocesses with a configuration that hides the pool's
signing key: a client that can read the key mints itself a token, so "no token" would mean
nothing in this process (the pool's owner)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import pwd
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import htcondor
from htcondor.personal import PersonalPool

USER = pwd.getpwuid(os.getuid()).pw_name
TRUST_DOMAIN = "tokens.pool"
IDENTITY = f"{USER}@{TRUST_DOMAIN}"


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_parts(token: str) -> tuple[dict, dict]:
    header, payload, _sig = token.split(".")
    return json.loads(_b64url_decode(header)), json.loads(_b64url_decode(payload))


# -- a token request on the session pool, approved with the administrator's CLI -------------------

def test_token_request_approved_by_admin(pool):
    req = htcondor.TokenRequest(f"{USER}@personal.pool", bounding_set=["READ"], lifetime=3600)
    assert "unsubmitted" in repr(req)
    with pytest.raises(htcondor.HTCondorIOError, match="prior to submitting"):
        req.request_id
    with pytest.raises(htcondor.HTCondorIOError, match="not been submitted"):
        req.done()
    # The library asks for an encrypted channel for the request (and the token coming back).
    with htcondor.SecMan() as s:
        s.setTag("token-request")
        req.submit()
        request_id = req.request_id
        assert request_id.isdigit()
        assert not req.done()
        assert "pending" in repr(req)
        # The administrator sees the request, with the identity and bounding set asked for...
        listing = pool.run_command(["condor_token_request_list"], timeout=30)
        assert request_id in listing.stdout and f"{USER}@personal.pool" in listing.stdout, listing
        with pytest.raises(htcondor.HTCondorIOError, match="Timed out"):
            req.result(timeout=1)
        # ... and approves it.
        approve = pool.run_command(["condor_token_request_approve", "-reqid", request_id],
                                   timeout=30, input_text="yes\n")
        assert approve.returncode == 0, approve.stdout + approve.stderr
        token = req.result(timeout=30)
    assert isinstance(token, htcondor.Token)
    assert req.done() and "done" in repr(req)
    text = token._contents
    assert text not in repr(token) and text not in repr(req)
    header, payload = jwt_parts(text)
    assert header["alg"] == "HS256"
    assert payload["sub"] == f"{USER}@personal.pool"
    assert payload["scope"] == "condor:/READ"
    assert payload["exp"] - payload["iat"] <= 3600
    # The request is gone from the administrator's list once approved.
    listing = pool.run_command(["condor_token_request_list"], timeout=30)
    assert request_id not in listing.stdout
    with pytest.raises(htcondor.HTCondorIOError, match="already submitted"):
        req.submit()


def test_token_request_to_a_dead_daemon_is_an_io_error(pool):
    import classad

    req = htcondor.TokenRequest(f"{USER}@personal.pool")
    dead = classad.ClassAd({"MyType": "Collector", "MyAddress": "<127.0.0.1:1>"})
    with pytest.raises(htcondor.HTCondorIOError) as err:
        req.submit(dead)
    assert "127.0.0.1:1" in str(err.value) or "token request" in str(err.value).lower(), str(err.value)
    assert "unsubmitted" in repr(req)  # a failed submit can be retried


def test_token_request_rejects_bad_location_ads():
    import classad

    with pytest.raises(htcondor.HTCondorValueError):
        htcondor.TokenRequest().submit(classad.ClassAd({"Name": "x"}))
    with pytest.raises(htcondor.HTCondorEnumError):
        htcondor.TokenRequest().submit(classad.ClassAd({"MyType": "Toaster", "MyAddress": "<127.0.0.1:1>"}))


# -- a pool that accepts IDTOKENS only --------------------------------------------------------------

CLIENT = textwrap.dedent(
    """
    import json, sys
    import htcondor

    case = json.loads(sys.stdin.read())
    if case.get("debug"):
        htcondor.enable_debug()

    def attempt(fn):
        try:
            return "ok: " + str(fn())
        except htcondor.HTCondorException as err:
            return f"{type(err).__name__}: {err}"

    def read():
        return len(htcondor.Schedd().query("true", ["ClusterId"]))

    def write():
        sub = htcondor.Submit({"executable": "/bin/true", "hold": "true"})
        return htcondor.Schedd().submit(sub).cluster()

    def collector():
        return len(htcondor.Collector().query(htcondor.AdTypes.Schedd, projection=["Name"]))

    def run():
        return {"collector": attempt(collector), "read": attempt(read), "write": attempt(write)}

    if case.get("token"):
        with htcondor.SecMan() as s:
            s.setToken(htcondor.Token(case["token"]))
            out = run()
    else:
        out = run()
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def token_pool(pool, tmp_path_factory):
    local_dir = tmp_path_factory.mktemp("idtokens-pool")
    # The daemons can read the signing key and mint themselves tokens (condor@password).
    allow = f"{IDENTITY}, condor@password"
    levels = ["READ", "WRITE", "DAEMON", "ADMINISTRATOR", "NEGOTIATOR", "CONFIG",
              "ADVERTISE_STARTD", "ADVERTISE_SCHEDD", "ADVERTISE_MASTER"]
    config = {
        "TRUST_DOMAIN": TRUST_DOMAIN,
        "SEC_DEFAULT_AUTHENTICATION": "REQUIRED",
        "SEC_DEFAULT_AUTHENTICATION_METHODS": "IDTOKENS",
        "SEC_CLIENT_AUTHENTICATION_METHODS": "IDTOKENS",
        "SEC_DEFAULT_INTEGRITY": "REQUIRED",
        # The master's family session (shared with the daemons it starts) loses the daemons'
        # first message to the collector in this configuration (HTCondor 23.9.6: "Command 1
        # on Sock not followed by ClassAd"); without it every daemon authenticates by token.
        "SEC_USE_FAMILY_SESSION": "False",
        **{f"ALLOW_{level}": allow for level in levels},
    }
    p = PersonalPool(local_dir=local_dir, config=config, use_config=False)
    try:
        p.start()
    except htcondor.HTCondorException as err:
        pytest.fail(f"the IDTOKENS pool failed to start: {err}", pytrace=False)
    # The clients' configuration: the pool's, with the signing key and every token store hidden.
    empty = local_dir / "client-empty"
    empty.mkdir()
    tokens = local_dir / "client-tokens"
    tokens.mkdir(mode=0o700)
    client_config = local_dir / "client_config"
    client_config.write_text(
        f"include : {p.config_file}\n"
        f"SEC_TOKEN_POOL_SIGNING_KEY_FILE = {empty}/POOL\n"
        f"SEC_PASSWORD_FILE = {empty}/pool_password\n"
        f"SEC_PASSWORD_DIRECTORY = {empty}\n"
        f"SEC_TOKEN_SYSTEM_DIRECTORY = {empty}\n"
        f"SEC_TOKEN_DIRECTORY = {tokens}\n"
        # A usual client, which would also try FS: the pool must refuse it, not the client.
        "SEC_CLIENT_AUTHENTICATION_METHODS = FS, IDTOKENS\n"
    )
    p.client_config = client_config  # type: ignore[attr-defined]
    p.client_tokens = tokens  # type: ignore[attr-defined]
    yield p
    p.stop()


def create_token(pool: PersonalPool, *args: str) -> str:
    res = pool.run_command(["condor_token_create", "-identity", IDENTITY, *args], timeout=30)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout.strip()


def client(pool: PersonalPool, token: str | None = None, debug: bool = False) -> dict[str, str]:
    env = dict(os.environ, CONDOR_CONFIG=str(pool.client_config))  # type: ignore[attr-defined]
    if debug:
        env["_CONDOR_TOOL_DEBUG"] = "D_SECURITY D_FULLDEBUG"
    res = subprocess.run([sys.executable, "-c", CLIENT], input=json.dumps({"token": token, "debug": debug}),
                         env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["_output"] = res.stdout + res.stderr
    return out


def assert_denied(result: str) -> None:
    assert result.startswith("HTCondorIOError: "), result
    message = result.lower()
    assert any(word in message for word in ("authenticat", "denied", "permission", "not authorized")), result


def test_idtokens_pool_really_requires_a_token(token_pool):
    # The daemons talk to each other with IDTOKENS (they all reached the collector), and the
    # pool's own tools, which can read the signing key, are let in.
    assert {"Scheduler", "Machine", "Negotiator"} <= {ad["MyType"] for ad in token_pool.daemon_ads()}
    assert token_pool.get_config_val("SEC_DEFAULT_AUTHENTICATION_METHODS") == "IDTOKENS"
    out = client(token_pool)
    for what in ("collector", "read", "write"):
        assert_denied(out[what])


def test_valid_token_reads_and_writes(token_pool):
    token = create_token(token_pool)
    out = client(token_pool, token, debug=True)
    assert "AUTHENTICATE" in out["_output"] or "IDTOKENS" in out["_output"], "debug output was off"
    # Neither the token nor its signature shows in anything the process printed.
    signature = token.rsplit(".", 1)[1]
    assert token not in out["_output"] and signature not in out["_output"]
    assert out["collector"] == "ok: 1", out
    assert out["read"].startswith("ok: "), out
    assert out["write"].startswith("ok: "), out
    cluster = int(out["write"].split()[1])
    # The job belongs to the token's identity: the schedd saw who submitted it.
    res = token_pool.run_command(["condor_q", "-all", str(cluster), "-af", "ClusterId", "Owner", "User"],
                                 timeout=30)
    assert res.stdout.split() == [str(cluster), USER, IDENTITY], res.stdout + res.stderr


def test_token_found_in_the_token_directory(token_pool):
    token = create_token(token_pool)
    tokens_dir: Path = token_pool.client_tokens  # type: ignore[attr-defined]
    try:
        env_before = os.environ.get("CONDOR_CONFIG")
        os.environ["CONDOR_CONFIG"] = str(token_pool.client_config)  # type: ignore[attr-defined]
        htcondor.reload_config()
        try:
            htcondor.Token(token).write("from_test")
        finally:
            os.environ["CONDOR_CONFIG"] = env_before or ""
            htcondor.reload_config()
        written = tokens_dir / "from_test"
        assert written.read_text().strip() == token
        assert (written.stat().st_mode & 0o777) == 0o600
        out = client(token_pool)  # no token passed: the client finds the file
        assert out["read"].startswith("ok: ") and out["collector"] == "ok: 1", out
    finally:
        for f in tokens_dir.iterdir():
            f.unlink()


def test_forged_token_is_refused(token_pool):
    genuine = create_token(token_pool)
    header, payload, _ = genuine.split(".")
    signing_input = f"{header}.{payload}".encode()
    forged = f"{header}.{payload}." + _b64url_encode(hmac.new(os.urandom(32), signing_input, hashlib.sha256).digest())
    out = client(token_pool, forged)
    for what in ("collector", "read", "write"):
        assert_denied(out[what])


def test_expired_token_is_refused(token_pool):
    token = create_token(token_pool, "-lifetime", "1")
    _, payload = jwt_parts(token)
    assert payload["exp"] <= payload["iat"] + 1
    time.sleep(max(0.0, payload["exp"] + 1.5 - time.time()))
    out = client(token_pool, token)
    for what in ("collector", "read", "write"):
        assert_denied(out[what])


def test_read_only_token_cannot_write(token_pool):
    token = create_token(token_pool, "-authz", "READ")
    assert jwt_parts(token)[1]["scope"] == "condor:/READ"
    out = client(token_pool, token)
    assert out["collector"] == "ok: 1", out
    assert out["read"].startswith("ok: "), out
    assert_denied(out["write"])
