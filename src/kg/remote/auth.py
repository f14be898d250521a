"""Credentials for another server (``kg push``): where they come from, how they are sent,
and how they are kept out of every message.

They are looked for in this order, the first found winning: the options (``--token``,
``--user`` with a password from ``--password-env`` or a prompt), ``user:password@`` in the
URL (taken out of it), the environment (``KG_PUSH_TOKEN``; ``KG_PUSH_USER`` with
``KG_PUSH_PASSWORD``; our own server's ``KG_UPDATE_TOKEN``), then ``~/.netrc`` for the host.
A token is sent as ``Authorization: Bearer``; a user and password as Basic or Digest, as
the server's challenge asks (Virtuoso asks for Digest).

>>> creds = find("http://dba:s3cret@127.0.0.1:8890/sparql-graph-crud-auth", env={})
>>> creds.url, creds.user, creds.source
('http://127.0.0.1:8890/sparql-graph-crud-auth', 'dba', 'the URL')
>>> creds.redact("GET http://dba:s3cret@127.0.0.1/ said s3cret")
'GET http://127.0.0.1/ said ***'
"""

from __future__ import annotations

import netrc
import os
import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from kg.errors import UsageError

ENV_USER = "KG_PUSH_USER"
ENV_PASSWORD = "KG_PUSH_PASSWORD"  # noqa: S105 - the variable's name, not a secret
ENV_TOKEN = "KG_PUSH_TOKEN"  # noqa: S105
ENV_SERVER_TOKEN = "KG_UPDATE_TOKEN"  # noqa: S105 - `kg serve --update-token`'s variable
_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")


@dataclass(frozen=True)
class Credentials:
    """The URL without credentials and what to authenticate with (``source`` says where
    it was found; it is the only part of them that may be shown)."""

    url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    source: str = "none"

    def auth(self) -> httpx.Auth | None:
        """The httpx authentication to send (None: none).

        >>> type(Credentials("http://h/", token="t").auth()).__name__
        'Bearer'
        """
        if self.token:
            return Bearer(self.token)
        if self.user is not None:
            return UserPassword(self.user, self.password or "")
        return None

    def redact(self, text: str) -> str:
        """``text`` with every ``user:password@`` of a URL and every secret replaced.

        >>> Credentials("http://h/", "u", "pw", "tok").redact("pw tok http://u:pw@h/")
        '*** *** http://h/'
        """
        text = _USERINFO.sub("", text)
        for secret in (self.password, self.token):
            if secret:
                text = text.replace(secret, "***")
        return text


class Bearer(httpx.Auth):
    """``Authorization: Bearer TOKEN`` (what `kg serve --update-token` checks)."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class UserPassword(httpx.Auth):
    """Basic or Digest, chosen by the server's first challenge (``WWW-Authenticate``), then
    kept for the following requests (Digest answers the same challenge, so one 401 in all).
    """

    def __init__(self, user: str, password: str) -> None:
        self.user, self._password = user, password
        self._chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._chosen is not None:
            yield from self._chosen.auth_flow(request)
            return
        response = yield request
        challenge = response.headers.get("www-authenticate", "")
        if response.status_code != 401 or not challenge:
            return
        if challenge.lower().startswith("digest"):
            self._chosen = httpx.DigestAuth(self.user, self._password)
            flow = self._chosen.auth_flow(request)
            next(flow)  # the request as first sent, already answered by the challenge
            try:
                request = flow.send(response)
                while True:
                    request = flow.send((yield request))
            except StopIteration:
                return
        self._chosen = httpx.BasicAuth(self.user, self._password)
        yield from self._chosen.auth_flow(request)


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """The URL without ``user:password@``, and the user and password it held.

    >>> split_userinfo("https://a%40b:p%3Aw@h:1/x?y")
    ('https://h:1/x?y', 'a@b', 'p:w')
    >>> split_userinfo("http://h/")
    ('http://h/', None, None)
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    bare = urlunsplit(parts._replace(netloc=host))
    return bare, unquote(user), unquote(password) if colon else None


def find(url: str, *, user: str | None = None, password: str | None = None,
         token: str | None = None, env: Mapping[str, str] | None = None,
         netrc_file: Path | None = None) -> Credentials:
    """The credentials for ``url``, from the first place that has them (module docstring).

    >>> find("http://h/", env={ENV_SERVER_TOKEN: "t"}).source
    '$KG_UPDATE_TOKEN'
    >>> find("http://h/", user="u", env={}, netrc_file=Path("/nonexistent"))
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: no password for user 'u': give --password-env NAME, set ...
    """
    env = os.environ if env is None else env
    bare, url_user, url_password = split_userinfo(url)
    if token:
        return Credentials(bare, token=token, source="--token")
    if user is not None and password is not None:
        return Credentials(bare, user, password, source="--user")
    if url_user is not None and (url_password is not None or user in (None, url_user)):
        found = url_password if url_password is not None else _netrc(bare, netrc_file, url_user)
        return _with_password(bare, url_user, found, "the URL")
    if env.get(ENV_TOKEN):
        return Credentials(bare, token=env[ENV_TOKEN], source=f"${ENV_TOKEN}")
    if user is None and env.get(ENV_USER):
        return _with_password(bare, env[ENV_USER], env.get(ENV_PASSWORD), f"${ENV_USER}")
    if user is not None:
        found = env.get(ENV_PASSWORD) or _netrc(bare, netrc_file, user)
        return _with_password(bare, user, found, "--user")
    if env.get(ENV_SERVER_TOKEN):
        return Credentials(bare, token=env[ENV_SERVER_TOKEN], source=f"${ENV_SERVER_TOKEN}")
    return _from_netrc(bare, netrc_file)


def _with_password(url: str, user: str, password: str | None, source: str) -> Credentials:
    if password is None:
        raise UsageError(f"no password for user {user!r}: give --password-env NAME, set "
                         f"${ENV_PASSWORD} or add the host to ~/.netrc")
    return Credentials(url, user, password, source=source)


def _entry(url: str, netrc_file: Path | None) -> tuple[str, str] | None:
    """(login, password) of ``~/.netrc`` (or ``netrc_file``) for the URL's host."""
    path = netrc_file or Path(os.path.expanduser("~")) / ".netrc"
    if not path.is_file():
        return None
    try:
        found = netrc.netrc(str(path)).authenticators(urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError) as exc:
        raise UsageError(f"{path}: cannot read it: {getattr(exc, 'msg', exc)}") from None
    if not found:
        return None
    login, _, password = found
    return login, password


def _netrc(url: str, netrc_file: Path | None, user: str) -> str | None:
    entry = _entry(url, netrc_file)
    return entry[1] if entry and entry[0] == user else None


def _from_netrc(url: str, netrc_file: Path | None) -> Credentials:
    entry = _entry(url, netrc_file)
    if entry is None:
        return Credentials(url)
    return Credentials(url, entry[0], entry[1], source="~/.netrc")
