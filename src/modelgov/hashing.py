"""SHA-1 and SHA-256 for the check path, without importing :mod:`hashlib`.

``hashlib`` loads OpenSSL's libcrypto when it is imported (11 million
instructions, more than the rest of a check's hashing by far); the
interpreter's own ``_sha1`` / ``_sha256`` (``_sha2`` from Python 3.12) modules
give the same digests at no import cost.  A build without them (some FIPS
builds) falls back to ``hashlib``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


def _builtin(name: str) -> Callable[[bytes], Hash]:
    module = {"sha1": ("_sha1",), "sha256": ("_sha2", "_sha256")}[name]
    for candidate in module:
        try:
            found = __import__(candidate)
        except ImportError:
            continue
        constructor = getattr(found, name, None)
        if constructor is not None:
            return constructor  # type: ignore[no-any-return]
    import hashlib

    return getattr(hashlib, name)  # type: ignore[no-any-return]


sha1: Callable[[bytes], Hash] = _builtin("sha1")
sha256: Callable[[bytes], Hash] = _builtin("sha256")
