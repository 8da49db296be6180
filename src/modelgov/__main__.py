from __future__ import annotations

from .entry import main

raise SystemExit(main())
