"""The file can be read as UTF-8 text of sensible size.

modelgov reads only regular files inside the repository, below a size cap, as UTF-8. A symlink out of the repo, a FIFO, a device, a huge file or other bytes are refused rather than followed.

Fails:
    (a symlink to /etc/passwd, or Latin-1 bytes)

Passes:
    (a regular UTF-8 file)

Fix: Make model.yaml a regular UTF-8 file inside the repository.
"""

from __future__ import annotations

from ..findings import Severity
from ._loading import loading_check
from .base import Option

ID = "MG005"
NAME = "unreadable-file"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False
NEEDS_DATA = False

check = loading_check(ID)
