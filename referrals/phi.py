"""Encryption at rest of patients' data (SPEC §7): Fernet tokens of JSON documents.

Keys come from `REFERRALS_PHI_KEY` (comma-separated, newest first: new data is encrypted
with the first, and any of them decrypts, so keys can be rotated). In development without
keys, one is made once in a file readable by its owner only.
"""

import contextlib
import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.engine import make_url

from referrals.config import Settings

_UNREADABLE = "PHI cannot be decrypted with the configured keys"


class PhiCipher:
    """Encrypts and decrypts the JSON documents that hold PHI.

    With the development key file (`source`), it encrypts with the file's newest key and
    reads the file again when it changed, so that after `referrals phi rotate-key` rewrote
    it a running server writes and reads with the new key.
    """

    def __init__(self, keys: list[str], source: Path | None = None) -> None:
        self._source = source
        self._version = _version(source)
        self._use(keys)

    def _use(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one PHI key is required")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def _reread(self) -> None:
        version = _version(self._source)
        if version != self._version:
            self._version = version
            self._use(keys_in(self._source))

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
        return self._fernet.rotate(token)


def _version(path: Path | None) -> tuple[int, int] | None:
    """What tells a rewritten key file (`write_key_file` replaces it) from the one read."""
    if path is None:
        return None
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


def _keys(text: str) -> list[str]:
    return [key.strip() for key in text.replace("\n", ",").split(",") if key.strip()]


def cipher_for(settings: Settings) -> PhiCipher:
    """The cipher of the configured keys, or of the development key file."""
    if settings.phi_key is not None:
        return PhiCipher(_keys(settings.phi_key.get_secret_value()))
    path = key_file(settings)
    if path is None:
        return PhiCipher([new_key()])
    with contextlib.suppress(FileExistsError):
        _created_key(path)
    return PhiCipher(keys_in(path), source=path)


def keys_in(path: Path) -> list[str]:
    """The keys of a key file, newest first."""
    return _keys(path.read_text())


def write_key_file(path: Path, keys: list[str]) -> None:
    """Replace the development key file (owner-only) with `keys`, newest first."""
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write("\n".join(keys) + "\n")
    temporary.replace(path)


def new_key() -> str:
    """A fresh Fernet key, as `REFERRALS_PHI_KEY` takes it."""
    return Fernet.generate_key().decode()
