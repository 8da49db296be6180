"""Where the shipped data lives: schemas/ and policies/.

In a wheel they are packaged as ``modelgov/_data/{schemas,policies}``; in a
source checkout (editable install, tests) they stay at the repo's top level.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@cache
def data_dir(kind: str) -> Path:
    packaged = _PKG / "_data" / kind
    if packaged.is_dir():
        return packaged
    checkout = _PKG.parent.parent / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"modelgov data folder {kind!r} is missing from the installation")


def data_path(kind: str, name: str) -> Path:
    return data_dir(kind) / name
