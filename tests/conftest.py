"""Shared fixtures: real SQLite files (or PostgreSQL with TEST_DATABASE_URL), seeded data.

``make_db(**overrides)`` builds a migrated database with the reference tables; pass
``load=True`` for the embedded history (and ``demo=True`` for the demo year).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from monitoring.bootstrap import init_database
from monitoring.storage.engine import make_engine
from monitoring.targets import Targets, load_targets

#: A fixed "now" for the demo year, so tests do not depend on the day they run.
DEMO_NOW = dt.datetime(2026, 11, 21, 23, 0)
#: The as-of day of every test (and of the app servers the browser tests start): the day
#: after the demo year's last full day, so November 2026 is the month in progress.
if not os.environ.get("MONITOR_TODAY"):
    os.environ["MONITOR_TODAY"] = "2026-11-22"
#: bcrypt's cheapest work factor for the users files the tests make (a check costs what its hash
#: says: ~0.3 s at the product's 12, ~1 ms at 4), inherited by the servers and CLIs they start;
#: tests/reliability/test_auth.py proves a hash made without the setting has the product's 12.
if not os.environ.get("MONITOR_BCRYPT_ROUNDS"):
    os.environ["MONITOR_BCRYPT_ROUNDS"] = "4"

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def targets() -> Targets:
    return load_targets()


#: The databases this process created (under pytest-xdist: this worker's), dropped at its
#: session end; names are random, so workers never touch each other's.
_CREATED_DATABASES: list[str] = []


def _admin_engine(base_url: str) -> Engine:
    return create_engine(base_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _fresh_postgres(base_url: str, template: str | None = None) -> str:
    """A new database on the test server (a copy of ``template`` if given); dropped at the end of the session."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(base_url)
    with admin.connect() as conn:
        # names are generated here, never taken from input
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    _CREATED_DATABASES.append(name)
    return base_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    yield
    if not POSTGRES_URL or not _CREATED_DATABASES:
        return
    admin = _admin_engine(POSTGRES_URL)
    left: list[str] = []
    with admin.connect() as conn:
        for name in _CREATED_DATABASES:
            if not _drop_database(conn, name):
                left.append(name)
    admin.dispose()
    if left:
        # cleanup of a scratch server, not a test: say what is left rather than fail the run
        warnings.warn(f"could not drop {len(left)} test database(s) on {POSTGRES_URL}: {', '.join(left)}", stacklevel=1)


def _drop_database(conn: Connection, name: str) -> bool:
    """DROP … WITH (FORCE), retried: it fails while a connection the role may not end
    (an autovacuum worker, which runs as no role) is inside the database, and such
    workers leave within moments."""
    for attempt in range(20):
        try:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return True
        except DBAPIError:
            time.sleep(0.1 * (attempt + 1))
    return False


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A URL for a new, empty database of the engine under test."""
    if POSTGRES_URL:
        return _fresh_postgres(POSTGRES_URL)
    return f"sqlite:///{tmp_path / 'test.db'}"


_PG_TEMPLATES: dict[tuple[bool, bool, dt.datetime], str] = {}


def _postgres_template(targets: Targets, load: bool, demo: bool, now: dt.datetime) -> str:
    """A database built once per session for each kind make_db is asked for, cloned by each test
    (per xdist worker: each worker drops what it created, so none may clone another's)."""
    key = (load, demo, now)
    if key not in _PG_TEMPLATES:
        url = _fresh_postgres(POSTGRES_URL)
        engine = make_engine(url)
        init_database(engine, targets, load_data=load, with_demo=demo, now=now)
        engine.dispose()  # a template must have no open connections
        _PG_TEMPLATES[key] = url.rsplit("/", 1)[1]
    return _PG_TEMPLATES[key]


@pytest.fixture
def make_db(tmp_path: Path, targets: Targets) -> Iterator[Callable[..., Engine]]:
    engines: list[Engine] = []

    def factory(*, load: bool = False, demo: bool = False, now: dt.datetime = DEMO_NOW, url: str | None = None) -> Engine:
        if url is None:
            if POSTGRES_URL:
                url = _fresh_postgres(POSTGRES_URL, template=_postgres_template(targets, load, demo, now))
            else:
                url = f"sqlite:///{tmp_path / f'db{len(engines)}.db'}"
        engine = make_engine(url)
        init_database(engine, targets, load_data=load, with_demo=demo, now=now)
        engines.append(engine)
        return engine

    yield factory
    for engine in engines:
        engine.dispose()


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test run: shared by its pytest-xdist workers (their base folders'
    parent), the session's own base folder without xdist."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _build_once(path: Path, build: Callable[[Path], None]) -> Path:
    """``build(path)`` unless another worker of this run did: the first takes the lock and
    builds (into a side file, renamed when complete), the others wait and reuse it."""
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            part = path.with_name(path.name + ".part")
            build(part)
            part.rename(path)
    return path


def _build_seeded(path: Path, targets: Targets) -> None:
    for left in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        left.unlink(missing_ok=True)  # what a failed build left
    engine = make_engine(f"sqlite:///{path}")
    init_database(engine, targets, load_data=True, with_demo=True, now=DEMO_NOW)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, targets: Targets) -> str:
    """A SQLite file holding the embedded history and the demo year, built once per run
    (~15–30 s) and shared by the xdist workers (some tests read it directly, on either engine;
    nobody writes it: seeded_db and the browser tests copy it). Under xdist the controller
    starts building it at once (pytest_sessionstart below): the workers find it done or wait."""
    return str(_build_once(_run_folder(tmp_path_factory) / "seeded.db", lambda part: _build_seeded(part, targets)))


_PREBUILD: list[threading.Thread] = []


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """In the xdist controller of a whole-suite run (./test.sh): build the seeded template in a
    thread while the workers start and collect (~10 s each), instead of one worker building it
    while the other, needing it too for its first browser test, waits idle (issue 15). The
    lock is taken here, before any worker can ask for it; a failed build leaves no file, and
    the first worker that needs the template builds it as before."""
    config = session.config
    if (hasattr(config, "workerinput") or getattr(config.option, "dist", "no") == "no"
            or config.args_source != pytest.Config.ArgsSource.TESTPATHS):
        return
    # the run folder the workers' base folders are made in (xdist: workermanage.py)
    path = config._tmp_path_factory.getbasetemp() / "seeded.db"  # type: ignore[attr-defined]
    lock = open(path.with_name(path.name + ".lock"), "w")  # noqa: SIM115 - closed by the thread
    fcntl.flock(lock, fcntl.LOCK_EX)

    def build() -> None:
        try:
            if not path.exists():
                part = path.with_name(path.name + ".part")
                _build_seeded(part, load_targets())
                part.rename(path)
        finally:
            lock.close()  # releases the lock: waiting workers go on

    thread = threading.Thread(target=build, name="seeded-template", daemon=True)
    thread.start()
    _PREBUILD.append(thread)


def pytest_sessionfinish(session: pytest.Session) -> None:
    for thread in _PREBUILD:
        thread.join()


@pytest.fixture
def seeded_db(tmp_path: Path, seeded_template: str, targets: Targets) -> Iterator[Engine]:
    """A private copy of the seeded database (history + demo year through DEMO_NOW)."""
    if POSTGRES_URL:
        # a clone (CREATE DATABASE … TEMPLATE: a file copy on the server) of a database
        # seeded once per session: far quicker than loading the data for each test.
        engine = make_engine(_fresh_postgres(POSTGRES_URL, template=_postgres_template(targets, True, True, DEMO_NOW)))
    else:
        path = tmp_path / "seeded.db"
        shutil.copyfile(seeded_template, path)
        engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def module_seeded_db(tmp_path_factory: pytest.TempPathFactory, seeded_template: str, targets: Targets) -> Iterator[Engine]:
    """Like seeded_db, one copy for a module's tests that only read it (so what they build
    from it can be module-scoped too)."""
    if POSTGRES_URL:
        engine = make_engine(_fresh_postgres(POSTGRES_URL, template=_postgres_template(targets, True, True, DEMO_NOW)))
    else:
        path = tmp_path_factory.mktemp("seeded") / "seeded.db"
        shutil.copyfile(seeded_template, path)
        engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


# -- how the suite runs: slow tests, xdist groups ----------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow", action="store_true", default=False,
        help="also run the tests marked slow (CI does: .ci/run; ./test.sh skips them to stay under 4 minutes)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run by CI (.ci/run), locally with ./test.sh --slow")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip_slow)


#: Tests under these folders run by file: each file's tests on one xdist worker, one after
#: another, so a worker starts one dashboard server and one Chromium (session fixtures) for the
#: files it gets, and the two big browser files (test_browser.py, test_screens.py) run side by
#: side on the two workers instead of all browser tests in a row on one (issue 15).
_BY_FILE = ("tests/e2e/",)


@pytest.hookimpl(optionalhook=True)  # only with pytest-xdist installed
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` (test.sh), with the groups of _BY_FILE. xdist 3.8 marks a group by
    appending ``@name`` to the node id, which pytest 9.2's node ids ignore: ``xdist_group``
    marks have no effect, so the groups are named here from the node id's path. xdist hands
    out the groups with the most tests first, so the browser files start at once."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FileGroups(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(_BY_FILE):
                return nodeid.split("::", 1)[0]
            return super()._split_scope(nodeid)

    return FileGroups(config, log)
