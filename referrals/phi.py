"""Encryption at rest of patients' data (SPEC §7): Fernet tokens of JSON documents.

Keys come from `REFERRALS_PHI_KEY` (comma-separated, newest first: new data is encrypted
with the first, and any of them decrypts, so keys can be rotated). In development without
keys, one is made once in a file readable by its owner only.
"""

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.engine import make_url

from referrals.config import Settings


class PhiCipher:
    """Encrypts and decrypts the JSON documents that hold PHI."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one PHI key is required")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, document: dict) -> bytes:
        return self._fernet.encrypt(json.dumps(document, separators=(",", ":")).encode())

    def decrypt(self, token: bytes) -> dict:
        try:
            return json.loads(self._fernet.decrypt(token))
        except InvalidToken:
            raise ValueError("PHI cannot be decrypted with the configured keys") from None

    def rotate(self, token: bytes) -> bytes:
        """The same document, encrypted with the newest key."""
        return self._fernet.rotate(token)


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


def _created_key(path: Path) -> str:
    key = Fernet.generate_key()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key + b"\n")
    return key.decode()


def cipher_for(settings: Settings) -> PhiCipher:
    """The cipher of the configured keys, or of the development key file."""
    if settings.phi_key is not None:
        keys = [k.strip() for k in settings.phi_key.get_secret_value().split(",") if k.strip()]
        return PhiCipher(keys)
    path = key_file(settings)
    if path is None:
        return PhiCipher([Fernet.generate_key().decode()])
    try:
        return PhiCipher([path.read_text().strip()])
    except FileNotFoundError:
        try:
            return PhiCipher([_created_key(path)])
        except FileExistsError:
            return PhiCipher([path.read_text().strip()])
