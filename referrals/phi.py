"""Encryption at rest of patients' data (SPEC §7): Fernet tokens of JSON documents.

Keys come from `REFERRALS_PHI_KEY` (comma-separated, newest first: new data is encrypted
with the first, and any of them decrypts, so keys can be rotated). In development without
keys, one is made once in a file readable by its owner only.
"""

import contextlib
import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.engine import make_url

from referrals.config import Settings, split_keys

_UNREADABLE = "PHI cannot be decrypted with the configured keys"


class PhiCipher:
    """Encrypts and decrypts the JSON documents that hold PHI.

    With the development key file (`source`), it encrypts with the file's newest key and
    reads the file again when it changed, so that after `referrals phi rotate-key` rewrote
    it a running server writes and reads with the new key.
    """

    def __init__(self, keys: list[str] | None = None, source: Path | None = None) -> None:
        """With `keys`, or with the key file `source`, read now and whenever it changes."""
        self._source = source
        self._lock = threading.Lock()
        self._version: tuple[int, int] | None = None
        if keys is None and source is None:
            raise ValueError("PHI keys or a key file are required")
        if keys is not None:
            self._use(keys)
        self._reread()

    def _use(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one PHI key is required")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def _reread(self) -> None:
        if self._source is None:
            return
        version = _version(self._source)  # a missing file fails the call: no key only here
        if version == self._version:
            return
        with self._lock:  # one thread reads; the others wait for its keys, not the old ones
            if version != self._version:
                self._use(keys_in(self._source))  # if this fails, the next call reads again
                self._version = version

    def encrypt(self, document: dict) -> bytes:
        self._reread()
        return self._fernet.encrypt(json.dumps(document, separators=(",", ":")).encode())

    def decrypt(self, token: bytes) -> dict:
        self._reread()
        try:
            return json.loads(self._fernet.decrypt(token))
        except InvalidToken:
            raise ValueError(_UNREADABLE) from None

    def rotate(self, token: bytes) -> bytes:
        """The same document, encrypted with the newest key."""
        self._reread()
        return self._fernet.rotate(token)


def _version(path: Path) -> tuple[int, int]:
    """What tells a rewritten key file (`write_key_file` replaces it) from the one read."""
    status = path.stat()
    return status.st_ino, status.st_mtime_ns


def key_file(settings: Settings) -> Path | None:
    """Where the development key lives: beside the SQLite database, else the working folder.

    None for an in-memory database, whose data (and so key) end with the process.
    """
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return Path("referrals.phi-key")
    if url.database in (None, "", ":memory:"):
        return None
    database = Path(url.database)
    return database.with_name(database.name + ".phi-key")


def _created_key(path: Path) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(new_key() + "\n")


def cipher_for(settings: Settings) -> PhiCipher:
    """The cipher of the configured keys, or of the development key file."""
    if settings.phi_key is not None:
        return PhiCipher(split_keys(settings.phi_key.get_secret_value()))
    path = key_file(settings)
    if path is None:
        return PhiCipher([new_key()])
    with contextlib.suppress(FileExistsError):
        _created_key(path)
    return PhiCipher(source=path)


def keys_in(path: Path) -> list[str]:
    """The keys of a key file, newest first."""
    return split_keys(path.read_text())


def write_key_file(path: Path, keys: list[str]) -> None:
    """Replace the development key file (owner-only) with `keys`, newest first."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")  # 0600
    with os.fdopen(descriptor, "w") as file:
        file.write("\n".join(keys) + "\n")
    os.replace(temporary, path)


class RotationRunning(RuntimeError):
    """Another `referrals phi rotate-key` holds the key file."""


@contextlib.contextmanager
def rotating(path: Path) -> Iterator[None]:
    """Held by a key-file rotation for its whole run: a second run at the same time would
    write its own new key over the first's, whose values would then be unreadable."""
    with path.with_name(f"{path.name}.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RotationRunning(f"another rotation of {path} is running") from None
        yield


def new_key() -> str:
    """A fresh Fernet key, as `REFERRALS_PHI_KEY` takes it."""
    return Fernet.generate_key().decode()
