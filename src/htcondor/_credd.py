"""``Credd``: the credential store (passwords, Kerberos and OAuth credentials).

Secrets (passwords, credentials) are never kept by these objects, never appear in a ``repr``,
an exception message or a log line written by the bindings; the native layer copies them into
memory it wipes after the request.
"""

from __future__ import annotations

import os
import pwd
import re
import subprocess
from typing import Any, Iterable, Optional, Union

import classad

from . import _core
from ._enums import CredTypes, DaemonTypes
from ._exceptions import HTCondorEnumError, HTCondorIOError, HTCondorValueError
from ._schedd import DaemonLocation

_C = _core._CRED
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PRODUCER_TIMEOUT = 20  # seconds, as condor_submit allows a credential producer


class CredStatus:
    """The credd's answer to :meth:`Credd.query_user_service_cred`: the reply ad, printed by
    ``str()`` (attribute names are credential file names with their modification times)."""

    def __init__(self, ad: classad.ClassAd) -> None:
        self._ad = ad

    def __str__(self) -> str:
        return "".join(f"{k} = {self._ad.lookup(k)}\n" for k in self._ad.keys())

    def __repr__(self) -> str:
        return f"<htcondor.CredStatus {sorted(self._ad.keys())}>"


class CredCheck:
    """Result of :meth:`Credd.check_user_service_creds`.  True when every service credential
    is present; otherwise :attr:`url` is where the user can obtain the missing ones (or
    :attr:`error` says why none could be made)."""

    def __init__(self, services: str, url: str) -> None:
        self._services = services
        self._url = url

    def __bool__(self) -> bool:
        return not self._url

    @property
    def present(self) -> bool:
        """Whether every credential checked is stored."""
        return not self._url

    @property
    def url(self) -> Optional[str]:
        """Where the user can go to obtain the missing credentials (a URL), or ``None``."""
        return self._url if _URL.match(self._url) else None

    @property
    def error(self) -> Optional[str]:
        """Why the missing credentials cannot be obtained, or ``None``."""
        return self._url if self._url and not _URL.match(self._url) else None

    @property
    def services(self) -> str:
        """The services checked, ``service[*handle]``, comma separated."""
        return self._services

    def __str__(self) -> str:
        return self._url or self._services

    def __repr__(self) -> str:
        return f"<htcondor.CredCheck present={self.present} services={self._services!r}>"


def _credtype(credtype: Any, allowed: Iterable[CredTypes]) -> int:
    try:
        value = CredTypes(int(credtype))
    except (TypeError, ValueError):
        raise HTCondorEnumError("invalid credtype") from None
    if value not in allowed or value._name_ is None:
        raise HTCondorEnumError("invalid credtype")
    return int(value)


def _run_producer(knob: str) -> Optional[bytearray]:
    """Run the credential producer named by configuration ``knob`` (none configured: None)."""
    from . import param

    producer = param.get(knob)
    if not producer:
        return None
    if str(producer).upper() == "CREDENTIAL_ALREADY_STORED":
        raise HTCondorIOError(str(producer))
    try:
        res = subprocess.run([str(producer)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=_PRODUCER_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise HTCondorIOError("credential producer did not exit") from None
    except OSError as err:
        raise HTCondorIOError(f"could not run credential producer: {err.strerror}") from None
    if res.returncode != 0:
        raise HTCondorIOError("credential producer non-zero exit code")
    if not res.stdout:
        raise HTCondorIOError("credential producer did not produce a credential")
    return bytearray(res.stdout)


def _credential_length(cred: Any) -> int:
    try:
        return len(memoryview(cred))
    except TypeError:
        raise HTCondorValueError("credential must be bytes or another object with the buffer protocol") from None


def _wipe(buf: Optional[bytearray]) -> None:
    if buf is not None:
        buf[:] = bytes(len(buf))


def _service_ad(service: str, handle: str) -> classad.ClassAd:
    if handle and not service:
        raise HTCondorValueError("invalid service arg")  # a handle needs its service
    ad = classad.ClassAd()
    if service:
        ad["Service"] = service
        if handle:
            ad["Handle"] = handle
    return ad


class Credd:
    """A client of a credential store: the ``condor_credd`` (``Credd()`` finds the local one
    when a request is made), or the daemon of a location ad (a credd, schedd or master)."""

    def __init__(self, ad: Any = None) -> None:
        if ad is None:
            self._address, self._version = "", ""
        elif isinstance(ad, classad.ClassAd):
            if "MyAddress" not in ad:
                raise HTCondorValueError("address not specified.")
            self._address, self._version = str(ad["MyAddress"]), str(ad.get("CondorVersion", ""))
        elif isinstance(ad, tuple) and len(ad) >= 2:
            self._address, self._version = str(ad[1]), str(ad[2]) if len(ad) > 2 else ""
        else:
            raise HTCondorValueError("Unknown type")

    @property
    def location(self) -> DaemonLocation:
        """The credd's location: a named tuple ``(daemon_type, address, version)`` (empty for ``Credd()``)."""
        return DaemonLocation(DaemonTypes.Credd, self._address, self._version)

    def __repr__(self) -> str:
        return f"<htcondor.Credd {self._address or '(local credd)'}>"

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _user(user: str, legacy: bool) -> str:
        """The user a request is for.  "" lets the credd take the authenticated user, except in
        the legacy password protocol, which needs a name: the local user at ``UID_DOMAIN``."""
        user = str(user or "")
        if not user and legacy:
            from . import param

            user = f"{pwd.getpwuid(os.getuid()).pw_name}@{param.get('UID_DOMAIN', '')}"
        if user and len(user) < 2:
            raise HTCondorValueError("invalid user argument")
        return user

    def _store(self, user: str, mode: int, credential: Any = None,
               service_ad: Optional[classad.ClassAd] = None) -> tuple[int, classad.ClassAd]:
        result, reply = _core._store_cred(self._address, user, mode, credential, service_ad)
        failure = _core._store_cred_failure(result, mode)
        if failure is not None:
            raise HTCondorIOError(f"{failure} (credential store at {self._address or 'the local credd'})")
        return int(result), reply

    def _passwd(self, user: str, mode: int, password: Any = None) -> int:
        return int(_core._store_cred_passwd(self._address, user, password, mode))

    def _check_passwd(self, result: int, mode: int, user: str) -> None:
        failure = _core._store_cred_failure(result, mode)
        if failure is None:
            return
        pool_password = user.split("@")[0] == "condor_pool"
        if not self._address and ((mode & 3) == _C["QUERY"] or not pool_password):
            # Without a location these requests go to the local schedd, which has no password
            # store on Unix (condor_store_cred refuses such queries for the same reason); only
            # setting and deleting the pool password (through the master) works there.
            failure += ": the local schedd keeps no passwords on this platform"
        raise HTCondorIOError(str(failure))

    # -- passwords (the legacy protocol: on Unix only the pool password, condor_pool@domain) --
    def add_password(self, password: Union[str, bytes], user: str = "") -> None:
        """Store ``password`` for ``user`` (default: the current user).  The pool password
        (``condor_pool@<domain>``) goes to the local master, which writes ``SEC_PASSWORD_FILE``."""
        if not password:
            raise HTCondorValueError("password may not be empty")
        mode = _C["LEGACY_PWD"] | _C["ADD"]
        secret = bytearray(password.encode() if isinstance(password, str) else password)
        try:
            who = self._user(user, True)
            result = self._passwd(who, mode, secret)
        finally:
            _wipe(secret)
        self._check_passwd(result, mode, who)

    def delete_password(self, user: str = "") -> None:
        """Remove the password of ``user``; a missing one is not an error."""
        mode = _C["LEGACY_PWD"] | _C["DELETE"]
        who = self._user(user, True)
        result = self._passwd(who, mode)
        if result != _C["FAILURE_NOT_FOUND"]:
            self._check_passwd(result, mode, who)

    def query_password(self, user: str = "") -> bool:
        """Whether a password is stored for ``user``.

        On Unix the only password is the pool password, and HTCondor cannot answer queries for
        it: without a location this raises :class:`HTCondorIOError`; a credd answers False.
        """
        mode = _C["LEGACY_PWD"] | _C["QUERY"]
        who = self._user(user, True)
        result = self._passwd(who, mode)
        if result == _C["FAILURE_NOT_FOUND"]:
            return False
        self._check_passwd(result, mode, who)
        return result == _C["SUCCESS"]

    # -- user credentials (Kerberos, Password) -----------------------------------------------
    def add_user_cred(self, credtype: CredTypes, credential: Optional[Any], user: str = "") -> None:
        """Store a credential (bytes) of ``credtype`` for ``user``.  ``credential=None`` runs
        ``SEC_CREDENTIAL_PRODUCER``.  A Kerberos credential waits for the credmon if one runs."""
        ctype = _credtype(credtype, (CredTypes.Password, CredTypes.Kerberos))
        mode = ctype | _C["ADD"]
        if ctype == CredTypes.Kerberos:
            mode |= _C["WAIT_FOR_CREDMON"]
        produced = _run_producer("SEC_CREDENTIAL_PRODUCER") if credential is None else None
        try:
            cred = produced if credential is None else credential
            if cred is None or not _credential_length(cred):
                raise HTCondorValueError("credential may not be empty")
            self._store(self._user(user, False), mode, cred)
        finally:
            _wipe(produced)

    def delete_user_cred(self, credtype: CredTypes, user: str = "") -> None:
        """Remove the ``credtype`` credential of ``user``."""
        ctype = _credtype(credtype, (CredTypes.Password, CredTypes.Kerberos, CredTypes.OAuth))
        self._store(self._user(user, False), ctype | _C["DELETE"])

    def query_user_cred(self, credtype: CredTypes, user: str = "") -> Optional[int]:
        """When the ``credtype`` credential of ``user`` was last updated (a Unix time), or
        None if there is none."""
        ctype = _credtype(credtype, (CredTypes.Password, CredTypes.Kerberos, CredTypes.OAuth))
        mode = ctype | _C["QUERY"]
        if ctype != CredTypes.Password:
            mode |= _C["WAIT_FOR_CREDMON"]
        result, reply = _core._store_cred(self._address, self._user(user, False), mode, None, None)
        if result == _C["FAILURE_NOT_FOUND"]:
            return None
        failure = _core._store_cred_failure(result, mode)
        if failure is not None:
            raise HTCondorIOError(str(failure))
        # Processed credentials answer with their time; a stored one the credmon has not
        # processed yet answers "pending" and carries the time of the stored file.
        if result in (_C["SUCCESS"], _C["SUCCESS_PENDING"]):
            for key in reply.keys():
                value = reply.eval(key)
                if isinstance(value, int) and not isinstance(value, bool):
                    return value
            return None if result != _C["SUCCESS"] else 0
        return int(result)

    # -- OAuth service credentials ------------------------------------------------------------
    def add_user_service_cred(self, credtype: CredTypes, credential: Optional[Any], service: str,
                              handle: str = "", user: str = "") -> None:
        """Store an OAuth (refresh) token for ``service`` (and ``handle``).  ``credential=None``
        runs ``SEC_CREDENTIAL_PRODUCER_OAUTH_<service>``."""
        ctype = _credtype(credtype, (CredTypes.OAuth,))
        ad = _service_ad(service, handle)
        if not len(ad):
            raise HTCondorValueError("invalid service arg")
        produced = _run_producer(f"SEC_CREDENTIAL_PRODUCER_OAUTH_{service}") if credential is None else None
        try:
            cred = produced if credential is None else credential
            if cred is None or not _credential_length(cred):
                raise HTCondorValueError("credential may not be empty")
            self._store(self._user(user, False), ctype | _C["ADD"], cred, ad)
        finally:
            _wipe(produced)

    def delete_user_service_cred(self, credtype: CredTypes, service: str, handle: str = "", user: str = "") -> None:
        """Remove the OAuth token of ``service`` (and ``handle``)."""
        ctype = _credtype(credtype, (CredTypes.OAuth,))
        ad = _service_ad(service, handle)
        if not len(ad):
            raise HTCondorValueError("invalid service arg")
        self._store(self._user(user, False), ctype | _C["DELETE"], None, ad)

    def query_user_service_cred(self, credtype: CredTypes, service: str, handle: str = "",
                                user: str = "") -> Optional[CredStatus]:
        """What the credd holds for ``service`` (every service if ``service`` is empty), or
        None if it holds nothing (v1 raised)."""
        ctype = _credtype(credtype, (CredTypes.OAuth,))
        mode = ctype | _C["QUERY"]
        result, reply = _core._store_cred(self._address, self._user(user, False), mode, None,
                                          _service_ad(service, handle))
        if result == _C["FAILURE_NOT_FOUND"]:
            return None
        failure = _core._store_cred_failure(result, mode)
        if failure is not None:
            raise HTCondorIOError(str(failure))
        return CredStatus(reply)

    def check_user_service_creds(self, credtype: CredTypes, services: list[classad.ClassAd],
                                 user: str = "") -> CredCheck:
        """Whether the OAuth credentials named by ``services`` (ads with ``Service`` and
        optionally ``Handle``, as v1's ``Submit.oauth_services`` listed them) are all stored."""
        _credtype(credtype, (CredTypes.OAuth,))
        names: list[str] = []
        ads = []
        for ad in services:
            if not isinstance(ad, classad.ClassAd):
                raise HTCondorValueError("service must be of type classad.ClassAd")
            service = ad.get("Service")
            if not isinstance(service, str):
                raise HTCondorValueError("request has no 'Service' attribute")
            handle = ad.get("Handle")
            name = f"{service}*{handle}" if isinstance(handle, str) and handle else service
            if name not in names:
                names.append(name)
            ads.append(ad)
        self._user(user, False)
        rv, url = _core._check_oauth_creds(self._address, ads)
        if rv < 0:
            reason = {-1: "invalid arguments", -2: "no credd could be located",
                      -3: "could not start the command at the credd",
                      -4: "communication with the credd failed"}.get(rv, "internal error")
            raise HTCondorIOError(f"Failed to check OAuth credentials: {reason}")
        return CredCheck(",".join(sorted(names)), url)
