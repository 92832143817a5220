"""What the practice API remembers: its DEMO keys (with rotation), its clients, seen ``jti``s.

Kept apart from the HTTP layer (:mod:`jwe_steps.server`) so that each piece can be read, and
tested, on its own:

- :class:`ServerKeys`: the encryption keys (one current; retired ones accepted for
  :data:`GRACE_SECONDS` after a rotation, then refused by name) and the signing key.
- :class:`ClientRecord`: a registered client's public encryption key and signing key.
- :class:`ReplayCache`: every ``(client_id, jti)`` accepted, kept until the token it came in
  could no longer be valid, so a captured request cannot be played again.
- :class:`Practice`: all of the above for one running server, with its profile and clock.
- :class:`StateStore`: the optional state directory. Files are written atomically
  (temporary file, ``fsync``, rename, ``fsync`` of the directory), mode 0600, in a 0700
  directory; temporary files a crash left behind are removed at start. One file per client,
  so a registration writes one small file instead of rewriting all of them.

Every time-dependent decision takes ``now`` (seconds since the epoch) from the caller: the
server injects its clock, tests inject theirs and never sleep.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import JWEError
from .jws import generate_signing_key
from .keys import Key, KeySet, generate_key, load_key
from .server_errors import api_error

ENCRYPTION_ALG = "RSA-OAEP-256"
SIGNING_ALG = "ES256"
GRACE_SECONDS = 900
"""How long a retired encryption key is still accepted after a rotation (15 minutes).

Longer than the JWKS ``Cache-Control: max-age`` (300 s), so a client that fetched the JWKS
just before a rotation never meets a refusal while its cache is fresh."""
MAX_KEYS_IN_GRACE = 3
MAX_REPLAY_ENTRIES = 200_000
"""Live entries of the replay cache, all clients together (past it, see :class:`ReplayCache`)."""
MAX_REPLAY_ENTRIES_PER_CLIENT = 20_000
"""Live entries one client may hold: a tenth of the cache, so one client cannot fill it."""
REPLAY_ENTRIES_RESERVED_PER_CLIENT = 64
"""Live entries every client is granted even when the cache is full: clients that registered
only to fill it cannot lock the others out. At most this many per registered client beyond
:data:`MAX_REPLAY_ENTRIES`, so the memory stays bounded (:data:`MAX_CLIENTS` of them)."""
MAX_CLIENTS = 1000
"""Registrations past this many are refused with 429 ``api.clients_full``."""

KEYS_FILE = "server_keys.json"
SERVER_KEY_FILE = "server_key.json"
"""The current encryption key alone, ``{"notice", "jwk"}``: what ``jwe-steps decrypt --key``
reads, and the whole state of the first version of this server (migrated at start)."""
CLIENTS_DIR = "clients"
TEMP_PREFIX = ".tmp-"
DEMO_NOTICE = "DEMO keys of the jwe-steps practice server: for learning only, never for real data."
CLIENT_ID_PATTERN = re.compile(r"client-[0-9a-f]{16}")

Profile = Literal["signed", "encrypt-only"]
PROFILES: tuple[Profile, ...] = ("signed", "encrypt-only")


class StateError(Exception):
    """The state directory cannot be used (unreadable, corrupt, or not holding DEMO keys)."""


# ---------------------------------------------------------------- keys


def new_encryption_key() -> Key:
    """A DEMO RSA-2048 key for RSA-OAEP-256 (kid ``demo-rsa-...``)."""
    return generate_key("RSA", size=2048, alg=ENCRYPTION_ALG)


def new_signing_key() -> Key:
    """A DEMO P-256 key for ES256, marked ``use: "sig"`` (kid ``demo-sig-...``)."""
    return generate_signing_key(SIGNING_ALG)


def check_demo_key(key: Key, where: str, *, kty: str, use: str) -> None:
    """Refuse anything but a private DEMO key of ``kty`` for ``use``."""
    if key.kty != kty or not key.is_private:
        raise StateError(f"{where} must be a private {kty} key")
    if not key.demo:
        raise StateError(
            f"{where} is a key whose kid does not start with 'demo-': this practice server "
            "only uses DEMO keys"
        )
    if key.use not in (None, use):
        raise StateError(f"{where} has use {key.use!r}; expected {use!r}")


@dataclass
class EncryptionKey:
    """One server encryption key and when it was retired (None while current)."""

    key: Key
    retired_at: float | None = None

    def accepted_until(self) -> float | None:
        return None if self.retired_at is None else self.retired_at + GRACE_SECONDS


@dataclass
class ServerKeys:
    """The server's encryption keys (newest first) and its signing key."""

    encryption: list[EncryptionKey]
    signing: Key
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def current(self) -> Key:
        return self.encryption[0].key

    def _in_grace(self, now: float) -> list[EncryptionKey]:
        return [
            entry
            for entry in self.encryption
            if entry.retired_at is None or now < entry.retired_at + GRACE_SECONDS
        ]

    def accepted(self, now: float) -> KeySet:
        """The keys a request may be encrypted to at ``now``: current, and those in grace."""
        return KeySet(tuple(entry.key for entry in self._in_grace(now)))

    def is_retired(self, kid: str, now: float) -> bool:
        """True when ``kid`` was one of ours but its grace period is over."""
        return any(
            entry.key.kid == kid and entry.retired_at is not None
            for entry in self.encryption
            if entry not in self._in_grace(now)
        )

    def jwks(self, now: float) -> dict[str, Any]:
        """The public JWKS: every accepted encryption key (current first), then the signing key."""
        keys = [entry.key.to_jwk() for entry in self._in_grace(now)]
        return {"keys": [*keys, self.signing.to_jwk()]}

    def rotate(self, now: float, new_key: Key) -> EncryptionKey:
        """Make ``new_key`` current; the old current key is accepted for the grace period.

        Raises ValueError when :data:`MAX_KEYS_IN_GRACE` keys are already in grace.
        """
        with self._lock:
            if len(self._in_grace(now)) > MAX_KEYS_IN_GRACE:
                raise ValueError("too many keys in their grace period")
            self.encryption[0].retired_at = now
            entry = EncryptionKey(new_key)
            self.encryption.insert(0, entry)
            # Keys long past their grace are forgotten except for their kid's refusal: keep
            # a bounded history.
            del self.encryption[MAX_KEYS_IN_GRACE + 8 :]
            return entry

    def to_document(self) -> dict[str, Any]:
        return {
            "notice": DEMO_NOTICE,
            "encryption": [
                {"jwk": entry.key.to_jwk(private=True), "retired_at": entry.retired_at}
                for entry in self.encryption
            ],
            "signing": {"jwk": self.signing.to_jwk(private=True)},
        }

    @classmethod
    def fresh(cls, encryption_key: Key | None = None) -> ServerKeys:
        key = encryption_key if encryption_key is not None else new_encryption_key()
        check_demo_key(key, "the encryption key", kty="RSA", use="enc")
        return cls([EncryptionKey(key)], new_signing_key())

    @classmethod
    def from_document(cls, document: Any, where: str) -> ServerKeys:
        try:
            entries = document["encryption"]
            signing = _load(document["signing"]["jwk"], f"{where}: signing key")
            encryption = [
                EncryptionKey(
                    _load(entry["jwk"], f"{where}: encryption key"),
                    None if entry["retired_at"] is None else float(entry["retired_at"]),
                )
                for entry in entries
            ]
        except (KeyError, TypeError, ValueError):
            raise StateError(
                f"{where} does not hold the server's keys; remove it to start afresh"
            ) from None
        if not encryption or encryption[0].retired_at is not None:
            raise StateError(f"{where} has no current encryption key; remove it to start afresh")
        for entry in encryption:
            check_demo_key(entry.key, f"{where}: encryption key", kty="RSA", use="enc")
        check_demo_key(signing, f"{where}: signing key", kty="EC", use="sig")
        return cls(encryption, signing)


def _load(jwk: Any, where: str) -> Key:
    try:
        return load_key(jwk)
    except JWEError as error:
        raise StateError(f"{where}: {error}") from None


# ---------------------------------------------------------------- clients


@dataclass(frozen=True)
class ClientRecord:
    """A registered client: the key answers are encrypted to, and the key its requests are
    signed with (None for a client registered in the encrypt-only profile)."""

    client_id: str
    encryption: Key
    signing: Key | None = None

    def to_document(self) -> dict[str, Any]:
        keys = [self.encryption.to_jwk()]
        if self.signing is not None:
            keys.append(self.signing.to_jwk())
        return {"client_id": self.client_id, "jwks": {"keys": keys}}

    @classmethod
    def from_document(cls, document: Any, where: str) -> ClientRecord:
        try:
            client_id = document["client_id"]
            keys = [_load(jwk, where) for jwk in document["jwks"]["keys"]]
        except (KeyError, TypeError):
            raise StateError(f"{where} does not hold a client; remove it to start afresh") from None
        if not isinstance(client_id, str) or not CLIENT_ID_PATTERN.fullmatch(client_id):
            raise StateError(f"{where} has no valid client_id; remove it to start afresh")
        encryption = [key for key in keys if key.use == "enc"]
        signing = [key for key in keys if key.use == "sig"]
        if len(encryption) != 1 or len(signing) > 1:
            raise StateError(f"{where} does not hold one enc key (and one sig key)")
        return cls(client_id, encryption[0], signing[0] if signing else None)


def new_client_id() -> str:
    return "client-" + secrets.token_hex(8)


# ---------------------------------------------------------------- replay cache


class ReplayCache:
    """Every accepted ``(client_id, jti)``, kept until the token could no longer be valid.

    :meth:`remember` is atomic: two requests with one ``jti`` arriving together, only one
    passes. Entries are dropped once ``now`` passes their ``keep_until``. The number of live
    entries is capped, and past a cap new tokens are refused (``replay.cache_full``) rather than
    old entries forgotten, which would reopen the replay window. The caps are shared fairly:
    one client holds at most ``max_per_client`` entries, all together at most ``max_entries``,
    but a client with fewer than ``reserved_per_client`` live entries is always admitted, so a
    few clients that flood the cache only refuse themselves.
    """

    def __init__(
        self,
        max_entries: int = MAX_REPLAY_ENTRIES,
        max_per_client: int = MAX_REPLAY_ENTRIES_PER_CLIENT,
        reserved_per_client: int = REPLAY_ENTRIES_RESERVED_PER_CLIENT,
    ) -> None:
        self.max_entries = max_entries
        self.max_per_client = max_per_client
        self.reserved_per_client = reserved_per_client
        self._seen: dict[tuple[str, str], float] = {}
        self._per_client: dict[str, int] = {}
        self._expiry: list[tuple[float, tuple[str, str]]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def remember(self, client_id: str, jti: str, keep_until: float, now: float) -> str | None:
        """Record the jti; None when it is new, else the code of the refusal."""
        entry = (client_id, jti)
        with self._lock:
            while self._expiry and self._expiry[0][0] <= now:
                _, old = heapq.heappop(self._expiry)
                if self._seen.get(old, now + 1) <= now:
                    del self._seen[old]
                    self._forget_one(old[0])
            if entry in self._seen:
                return "replay.jti_seen"
            held = self._per_client.get(client_id, 0)
            if held >= self.reserved_per_client and (
                held >= self.max_per_client or len(self._seen) >= self.max_entries
            ):
                return "replay.cache_full"
            self._seen[entry] = keep_until
            self._per_client[client_id] = held + 1
            heapq.heappush(self._expiry, (keep_until, entry))
        return None

    def _forget_one(self, client_id: str) -> None:
        left = self._per_client[client_id] - 1
        if left:
            self._per_client[client_id] = left
        else:
            del self._per_client[client_id]


# ---------------------------------------------------------------- the state directory


class StateStore:
    """The state directory: ``server_keys.json`` and ``clients/<client_id>.json``."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            (self.directory / CLIENTS_DIR).mkdir(mode=0o700, exist_ok=True)
            for folder in (self.directory, self.directory / CLIENTS_DIR):
                os.chmod(folder, 0o700)
        except OSError as error:
            raise StateError(
                f"cannot use state directory {self.directory}: {error.strerror}"
            ) from None
        self.remove_stray_temporaries()

    def remove_stray_temporaries(self) -> list[Path]:
        """Remove temporary files an interrupted write left behind; return what was removed."""
        removed = []
        for folder in (self.directory, self.directory / CLIENTS_DIR):
            for path in folder.glob(TEMP_PREFIX + "*"):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
        return removed

    def write(self, relative: str, document: Any) -> None:
        """Write ``document`` as JSON, atomically and durably, readable by the owner only."""
        path = self.directory / relative
        folder = path.parent
        temporary = folder / f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(4)}"
        data = (json.dumps(document, indent=2) + "\n").encode("utf-8")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        directory_descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory_descriptor)
        finally:
            os.close(directory_descriptor)

    def read(self, path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise StateError(f"cannot read {path}: {error.strerror}") from None
        except ValueError:
            raise StateError(f"{path} is not valid JSON; remove it to start afresh") from None

    def load_keys(self) -> ServerKeys | None:
        path = self.directory / KEYS_FILE
        if path.exists():
            return ServerKeys.from_document(self.read(path), str(path))
        legacy = self.directory / SERVER_KEY_FILE
        if legacy.exists():  # the first version kept only this: keep its key, add a signing key
            stored = self.read(legacy)
            jwk = stored.get("jwk") if isinstance(stored, dict) else None
            if not isinstance(jwk, dict):
                raise StateError(
                    f"{legacy} does not hold a 'jwk' object; remove it to start afresh"
                )
            key = _load(jwk, str(legacy))
            check_demo_key(key, str(legacy), kty="RSA", use="enc")
            keys = ServerKeys.fresh(key)
            self.save_keys(keys)
            return keys
        return None

    def save_keys(self, keys: ServerKeys) -> None:
        """All keys in :data:`KEYS_FILE`; the current encryption key also in
        :data:`SERVER_KEY_FILE`, for ``jwe-steps decrypt --key``."""
        self.write(KEYS_FILE, keys.to_document())
        self.write(
            SERVER_KEY_FILE, {"notice": DEMO_NOTICE, "jwk": keys.current.to_jwk(private=True)}
        )

    def clients(self) -> Iterator[ClientRecord]:
        for path in sorted((self.directory / CLIENTS_DIR).glob("client-*.json")):
            yield ClientRecord.from_document(self.read(path), str(path))

    def save_client(self, record: ClientRecord) -> None:
        self.write(f"{CLIENTS_DIR}/{record.client_id}.json", record.to_document())


# ---------------------------------------------------------------- everything, together


@dataclass
class Practice:
    """Everything one running practice API holds. Thread-safe where requests meet."""

    profile: Profile
    keys: ServerKeys
    clock: Callable[[], float] = time.time
    store: StateStore | None = None
    clients: dict[str, ClientRecord] = field(default_factory=dict)
    replay: ReplayCache = field(default_factory=ReplayCache)
    started_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(
        cls,
        state_dir: str | os.PathLike[str] | None = None,
        *,
        key: Key | None = None,
        profile: Profile = "signed",
        clock: Callable[[], float] = time.time,
    ) -> Practice:
        """Load the state from ``state_dir`` (creating it on first use), or make a fresh one.

        ``key`` sets the first encryption key of an in-memory state (a private RSA DEMO key,
        e.g. ``generate_key("RSA", kid="practice-server", alg="RSA-OAEP-256")``): notebooks use
        it to show a kid that is the same on every run.
        """
        if profile not in PROFILES:
            raise StateError(f"unknown profile {profile!r}: expected one of {PROFILES}")
        if key is not None and state_dir is not None:
            raise StateError("give a state directory or a key, not both")
        if state_dir is None:
            return cls(profile, ServerKeys.fresh(key), clock, started_at=clock())
        store = StateStore(state_dir)
        keys = store.load_keys()
        if keys is None:
            keys = ServerKeys.fresh()
            store.save_keys(keys)
        practice = cls(profile, keys, clock, store, started_at=clock())
        practice.clients = {record.client_id: record for record in store.clients()}
        return practice

    @property
    def key(self) -> Key:
        """The current encryption key."""
        return self.keys.current

    def register(self, record: ClientRecord) -> None:
        """Remember a client (and write its file). Blocking: call it off the event loop."""
        with self._lock:
            if len(self.clients) >= MAX_CLIENTS:
                raise api_error(
                    429,
                    "api.clients_full",
                    f"this practice server holds at most {MAX_CLIENTS} clients; restart it "
                    "(or use a fresh --state directory) to start afresh.",
                )
            if self.store is not None:
                self.store.save_client(record)
            self.clients[record.client_id] = record

    def client(self, client_id: str | None) -> ClientRecord:
        """The client registered as ``client_id``, or a 401 answer."""
        record = self.clients.get(client_id) if client_id else None
        if record is None:
            found = "no X-Client-Id header" if not client_id else "an id this server never issued"
            raise api_error(
                401,
                "api.client_unknown",
                "unknown client: expected an X-Client-Id header from POST /v1/clients, "
                f"found {found}. Register your public keys first.",
            )
        return record

    def rotate(self) -> dict[str, Any]:
        """Start a key rotation (blocking: makes an RSA key). See :data:`GRACE_SECONDS`."""
        new_key = new_encryption_key()
        now = self.clock()
        retired = self.keys.current
        try:
            self.keys.rotate(now, new_key)
        except ValueError:
            raise api_error(
                429,
                "api.rotation_limit",
                "too many rotations: expected at most a few keys in their grace period at once, "
                f"found more. Wait {GRACE_SECONDS} s.",
            ) from None
        if self.store is not None:
            self.store.save_keys(self.keys)
        return {
            "current_kid": new_key.kid,
            "retired_kid": retired.kid,
            "retired_kid_accepted_until": int(now + GRACE_SECONDS),
            "grace_seconds": GRACE_SECONDS,
        }


__all__ = [
    "ENCRYPTION_ALG",
    "GRACE_SECONDS",
    "MAX_CLIENTS",
    "PROFILES",
    "SERVER_KEY_FILE",
    "SIGNING_ALG",
    "ClientRecord",
    "EncryptionKey",
    "Practice",
    "Profile",
    "ReplayCache",
    "ServerKeys",
    "StateError",
    "StateStore",
]
