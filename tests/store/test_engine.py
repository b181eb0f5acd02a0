"""Engine set-up: SQLite pragmas on every connection, PostgreSQL pre-ping, the URL from settings."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from trp_core.settings import ROOT, Settings
from trp_core.store.engine import database_url, make_engine


def test_connection_settings(engine):
    if engine.dialect.name == "postgresql":
        assert engine.pool._pre_ping
        # JIT off on every connection (the dashboard's aggregates are slower with it), the URL's own
        # options kept when it names some.
        with engine.connect() as a, engine.connect() as b:
            assert [c.execute(text("SHOW jit")).scalar() for c in (a, b)] == ["off", "off"]
        own = make_engine(engine.url.set(query={"options": "-c work_mem=8MB"}))
        try:
            with own.connect() as c:
                assert c.execute(text("SHOW work_mem")).scalar() == "8MB"
        finally:
            own.dispose()
        return
    # Two connections held at once: the pragmas hold on each new connection, not just the first.
    with engine.connect() as a, engine.connect() as b:
        for c in (a, b):
            assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert c.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert c.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_url_from_the_environment_and_folder_created(monkeypatch, tmp_path: Path):
    file = tmp_path / "a" / "b" / "trp.sqlite3"
    monkeypatch.setenv("TRP_DATABASE_URL", f"sqlite:///{file}")
    engine = make_engine()
    try:
        assert engine.url.database == str(file)
        assert file.parent.is_dir()
    finally:
        engine.dispose()


def test_default_is_a_sqlite_file_under_data(monkeypatch):
    monkeypatch.delenv("TRP_DATABASE_URL", raising=False)
    url = database_url(Settings().database_url)
    assert url.get_backend_name() == "sqlite"
    assert Path(url.database) == ROOT / "data" / "trp.sqlite3"


def test_postgres_urls_use_psycopg():
    assert database_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert database_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert database_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
