"""The storage layer: SQLAlchemy models, engine set-up, migrations and the Store repository.

`from trp_core.store import Store, make_engine, upgrade` works; the submodules load on first
use, so that `trp` commands which never touch the database start without SQLAlchemy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trp_core.store.engine import database_url, make_engine
    from trp_core.store.migrate import current_revision, head_revision, upgrade
    from trp_core.store.repository import (
        NO_EVENT,
        CodeInUse,
        SaveResult,
        ScoredRow,
        SnapshotInfo,
        Store,
        StoredResult,
    )

_EXPORTS = {
    "database_url": "engine",
    "make_engine": "engine",
    "current_revision": "migrate",
    "head_revision": "migrate",
    "upgrade": "migrate",
    "NO_EVENT": "repository",
    "CodeInUse": "repository",
    "SaveResult": "repository",
    "ScoredRow": "repository",
    "SnapshotInfo": "repository",
    "Store": "repository",
    "StoredResult": "repository",
}

__all__ = [
    "NO_EVENT",
    "CodeInUse",
    "SaveResult",
    "ScoredRow",
    "SnapshotInfo",
    "Store",
    "StoredResult",
    "current_revision",
    "database_url",
    "head_revision",
    "make_engine",
    "upgrade",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
