"""Test fixtures: one migrated database per run, every test rolled back.

`TEST_DATABASE_URL` picks the database (a fresh SQLite file by default; CI also runs
`postgresql+asyncpg://postgres@127.0.0.1:5432/test`). API tests go through an
`httpx.AsyncClient` on the ASGI app, whose sessions join the test's outer transaction as
SAVEPOINTs. Tests that need real concurrency or a real server use `committed_db`, which
commits for real and wipes the tables afterwards.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

import models
from auth.passwords import hash_password_sync
from auth.tokens import TokenKind, issue_token
from models.base import utcnow
from models.enums import Role
from models.user import RefreshFamily, User
from service.app import create_app
from service.deadlines.policies import forget_rules
from service.platform.db import create_engine, is_sqlite
from service.platform.migrations import upgrade
from service.platform.settings import Environment, Settings
from service.routing.agency_directory import forget_directory
from service.routing.helper_pool import forget_helpers

TEST_PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    directory = tempfile.mkdtemp(prefix="onestop-test-")
    return f"sqlite+aiosqlite:///{directory}/test.db"


DATABASE_URL = _database_url()


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": Environment.test,
        "database_url": DATABASE_URL,
        "jwt_secret": "test-jwt-secret-" + "x" * 32,
        "data_key": "test-data-key-" + "y" * 32,
    }
    values.update(overrides)
    return Settings(**values)


async def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(sa.text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def wipe_tables(engine: AsyncEngine) -> None:
    """Delete every row a committed test wrote (the schema stays)."""
    async with engine.begin() as connection:
        for table in reversed(models.metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture(scope="session")
def database_url() -> str:
    return DATABASE_URL


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    if not is_sqlite(database_url):
        try:
            await _reset_postgres(database_url)
        except OSError as error:  # pragma: no cover - environment problem, say it clearly
            pytest.exit(f"PostgreSQL at {database_url} is not reachable: {error}", returncode=3)
    await asyncio.to_thread(upgrade, database_url)
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture(autouse=True)
def _kept_state_read_afresh() -> Iterator[None]:
    """Each test reads the deadline rules, the agency directory and the helpers of its own
    database state: what a process keeps would otherwise outlive the rolled-back test that
    read it."""
    forget_rules()
    forget_directory()
    forget_helpers()
    yield
    forget_rules()
    forget_directory()
    forget_helpers()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
async def session(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture
def app(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    return create_app(settings, sessionmaker=sessionmaker)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


_PASSWORD_HASH: dict[str, str] = {}


def password_hash() -> str:
    """The Argon2id hash of TEST_PASSWORD, computed once per run."""
    if "hash" not in _PASSWORD_HASH:
        _PASSWORD_HASH["hash"] = hash_password_sync(TEST_PASSWORD)
    return _PASSWORD_HASH["hash"]


async def create_user(
    session: AsyncSession, role: Role, *, username: str | None = None, active: bool = True
) -> User:
    now = utcnow()
    user = User(
        username=username or f"{role.value}.{uuid.uuid4().hex[:10]}",
        display_name=f"Test {role.value}",
        role=role,
        password_hash=password_hash(),
        is_active=active,
        password_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    await session.flush()
    return user


async def access_headers(session: AsyncSession, settings: Settings, user: User) -> dict[str, str]:
    """A real signed access token for `user`, in a new login session."""
    family = RefreshFamily(user_id=user.id, created_at=utcnow())
    session.add(family)
    await session.flush()
    token = issue_token(
        settings,
        kind=TokenKind.access,
        subject=user.id,
        version=user.token_version,
        family_id=family.id,
        now=utcnow(),
    )
    return {"Authorization": f"Bearer {token.token}"}


@dataclass
class Actor:
    user: User
    headers: dict[str, str]


MakeActor = Callable[..., Awaitable[Actor]]


@pytest.fixture
def make_actor(session: AsyncSession, settings: Settings) -> MakeActor:
    """Creates a user of a role and returns it with Authorization headers."""

    async def make(role: Role, **kwargs: Any) -> Actor:
        user = await create_user(session, role, **kwargs)
        headers = await access_headers(session, settings, user)
        await session.commit()
        return Actor(user, headers)

    return make


@pytest.fixture
async def actors(make_actor: MakeActor) -> dict[Role, Actor]:
    """One user per role, each with headers."""
    return {role: await make_actor(role) for role in Role}


@pytest.fixture
async def committed_db(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """For tests that need real commits (concurrency, servers): rows are wiped afterwards."""
    await wipe_tables(engine)
    yield engine
    await wipe_tables(engine)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(database_url: str, *, workers: int = 1, **env: str) -> LiveServer:
    """`onestop serve` in a subprocess on a free port, ready when /healthz answers."""
    port = _free_port()
    log_path = Path(tempfile.mkstemp(prefix="onestop-server-", suffix=".log")[1])
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ONESTOP_ENVIRONMENT": "test",
        "ONESTOP_JWT_SECRET": "live-server-jwt-secret-" + "z" * 32,
        "ONESTOP_DATA_KEY": "live-server-data-key-" + "w" * 32,
        **env,
    }
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "service.cli", "serve", "--port", str(port), "--workers", str(workers)),
            ],
            cwd=ROOT,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited: " + log_path.read_text(errors="replace"))
        try:
            if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                return LiveServer(base_url, process, log_path)
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("server did not start: " + log_path.read_text(errors="replace"))


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        server.process.kill()


def wipe_database_blocking(database_url: str) -> None:
    """Wipe every table from synchronous code (module fixtures), on a thread of its own."""

    async def wipe() -> None:
        engine = create_engine(database_url)
        try:
            await wipe_tables(engine)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, wipe()).result()


def run_cli(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the `onestop` command against `database_url`."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "ONESTOP_ENVIRONMENT": "test", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_server(engine: AsyncEngine, database_url: str) -> Iterator[LiveServer]:
    """A real server on the test database with the demo data seeded; wiped afterwards."""
    wipe_database_blocking(database_url)
    seeded = run_cli(database_url, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    server = start_server(database_url)
    try:
        yield server
    finally:
        stop_server(server)
        wipe_database_blocking(database_url)


def demo_login(server: LiveServer, username: str, password: str = "onestop-demo") -> dict[str, str]:
    """Sign in over real HTTP and return Authorization headers."""
    response = httpx.post(
        server.base_url + "/api/v1/auth/token",
        data={"username": username, "password": password},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": "Bearer " + response.json()["access_token"]}


@pytest.fixture
async def committed_client(
    committed_db: AsyncEngine, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app whose requests commit for real, each on its own connection."""
    app = create_app(
        settings, sessionmaker=async_sessionmaker(committed_db, expire_on_commit=False)
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def committed_actor(engine: AsyncEngine, settings: Settings, role: Role) -> Actor:
    """A user committed for real, with headers, for tests whose requests commit."""
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        user = await create_user(session, role)
        headers = await access_headers(session, settings, user)
        await session.commit()
    return Actor(user, headers)


# Query-plan tests that price plans on the tables as a fresh migration leaves them run first:
# later tests commit and wipe rows (live servers, committed clients), and the statistics that
# leaves behind would make the planner's choice depend on which tests ran before. The plan
# tests that seed their own scale (`test_queue_plans`, `test_statistics_plans`,
# `test_list_query_plans`) keep their place.
PLANS_ON_FRESH_TABLES = frozenset(
    {
        "test_deadline_queue_plans.py",
        "test_retention.py",
        "test_referral_query_plans.py",
        "test_suggestion_plans.py",
        "test_query_plans.py",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in PLANS_ON_FRESH_TABLES)
