"""The `onestop` command: serve, worker, migrate, create-user, seed-demo, verify-audit,
rotate-data-key, import-directory, export-directory."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import shutil
import signal
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.enums import Role
from models.user import UserCreate
from service.platform.db import begin, create_engine, create_sessionmaker, is_sqlite
from service.platform.errors import DomainError
from service.platform.http_protocols import PROBLEM_HTTP_PROTOCOL
from service.platform.key_rotation import BATCH
from service.platform.settings import (
    METRICS_DIR_VARIABLE,
    InsecureSettings,
    Settings,
    get_settings,
)

T = TypeVar("T")


async def _in_transaction(
    settings: Settings, work: Callable[[AsyncSession], Awaitable[T]], *, writing: bool
) -> T:
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await begin(session, writing=writing)
            return await work(session)
    finally:
        await engine.dispose()


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve with uvicorn; every worker logs JSON and `/metrics` adds up all workers.

    The metrics directory is made before anything imports prometheus_client (which picks its
    multiprocess mode at import) and removed when the server stops.
    """
    settings.check_secrets()
    if args.no_jobs:
        os.environ["ONESTOP_JOBS_IN_SERVER"] = "false"  # read by each worker process's settings
    metrics_dir = tempfile.mkdtemp(prefix="onestop-metrics-")
    os.environ[METRICS_DIR_VARIABLE] = metrics_dir
    try:
        import uvicorn

        from service.platform.observability import logging_config

        uvicorn.run(
            "service.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            proxy_headers=args.proxy_headers,
            log_config=logging_config(settings.log_level),
            access_log=False,
            server_header=False,
            # What uvicorn refuses before the app sees it is answered as problem JSON too.
            http=PROBLEM_HTTP_PROTOCOL,
            # uvicorn replaces a worker that does not answer its health check in time, and a
            # new worker answers only once it has imported the app: seconds on a busy machine.
            timeout_worker_healthcheck=settings.worker_timeout_seconds,
        )
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run the background jobs until interrupted (PostgreSQL; on SQLite they run in the server)."""
    if is_sqlite(settings.database_url):
        raise ValueError(
            "on SQLite the background jobs run inside `onestop serve`; "
            "`onestop worker` is for PostgreSQL"
        )
    import logging.config

    from service.platform.observability import logging_config
    from service.worker.runner import run_worker

    logging.config.dictConfig(logging_config(settings.log_level))

    async def work() -> None:
        engine = create_engine(settings.database_url, pool_size=2)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        logging.getLogger("onestop.worker").info("worker started")
        try:
            await run_worker(create_sessionmaker(engine), settings=settings, stop=stop)
        finally:
            await engine.dispose()

    asyncio.run(work())
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from service.platform.migrations import upgrade

    upgrade(settings.database_url, args.revision)
    print(f"database migrated to {args.revision}")
    return 0


def _create_user(args: argparse.Namespace, settings: Settings) -> int:
    from service.accounts.users import create_user

    password = os.environ.get("ONESTOP_NEW_USER_PASSWORD") or getpass.getpass("Password: ")
    data = UserCreate(
        username=args.username,
        display_name=args.display_name or args.username,
        role=Role(args.role),
        password=password,
        organization_id=args.organization,
    )

    async def work(session: AsyncSession) -> str:
        user = await create_user(session, data=data, now=utcnow())
        return str(user.id)

    print(asyncio.run(_in_transaction(settings, work, writing=True)))
    return 0


def _seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from service.demo.seed import seed_demo

    async def work(session: AsyncSession) -> dict[str, int]:
        return await seed_demo(session, settings=settings, now=utcnow())

    counts = asyncio.run(_in_transaction(settings, work, writing=True))
    print("demo data ready: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


def _verify_audit(args: argparse.Namespace, settings: Settings) -> int:
    """Check every case's event chain and every read record in one read-only transaction;
    1 when anything was tampered with."""
    import sqlalchemy as sa

    from models.events import CaseEvent
    from service.cases.access_log import ReadProblem, verify_all_reads
    from service.cases.events import ChainProblem, summarise, verify_all
    from service.platform.db import dialect_name

    async def work(
        session: AsyncSession,
    ) -> tuple[int, int, list[ChainProblem], int, list[ReadProblem]]:
        if dialect_name(session) == "postgresql":
            # One snapshot for every batch, and no way to write by mistake.
            await session.execute(
                sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            )
        checked, problems = await verify_all(session, secret=settings.data_key)
        events = await session.scalar(sa.select(sa.func.count()).select_from(CaseEvent))
        reads, read_problems = await verify_all_reads(session, secret=settings.data_key)
        return checked, int(events or 0), problems, reads, read_problems

    checked, events, problems, reads, read_problems = asyncio.run(
        _in_transaction(settings, work, writing=False)
    )
    print(f"checked {checked} cases and {events} events")
    for line in summarise(problems):
        print(line)
    print(f"checked {reads} read records")
    for problem in read_problems:
        print(f"read {problem.read_id} of case {problem.case_id}: altered, or its key is gone")
    if problems or read_problems:
        print(
            f"audit broken: {len(problems)} chain problem(s), "
            f"{len(read_problems)} altered read record(s)",
            file=sys.stderr,
        )
        return 1
    print("audit chain intact")
    return 0


def _rotate_data_key(args: argparse.Namespace, settings: Settings) -> int:
    """Move stored values to the current data key in short batches; 1 when some could not."""
    from service.platform.key_rotation import rotate_data_key

    async def work() -> tuple[str, int]:
        engine = create_engine(settings.database_url)
        try:
            done, left = await rotate_data_key(
                create_sessionmaker(engine), secret=settings.data_key, batch=args.batch
            )
        finally:
            await engine.dispose()
        return (
            f"re-sealed {done.id_numbers} id numbers, {done.answers} stored answers, "
            f"{done.webhook_secrets} webhook secrets, {done.request_id_numbers} request id "
            "numbers; "
            f"re-signed {done.anchors} chain anchors; {done.refused} refused"
        ), left

    summary, left = asyncio.run(work())
    print(summary)
    if left:
        print(
            f"{left} row(s) still name another key than {settings.data_key_id}; see the log",
            file=sys.stderr,
        )
        return 1
    print(f"every stored value names key {settings.data_key_id}")
    return 0


def _import_directory(args: argparse.Namespace, settings: Settings) -> int:
    """Upsert an HSDS directory file in one transaction; 1, with a line per problem, when the
    file is refused (nothing is written then)."""
    from service.routing.hsds import DirectoryRefused, import_directory

    with open(args.file, encoding="utf-8") as file:
        text = file.read()

    async def work(session: AsyncSession) -> str:
        done = await import_directory(session, text=text, now=utcnow())
        return ", ".join(f"{what} {count}" for what, count in sorted(done.items()))

    try:
        summary = asyncio.run(_in_transaction(settings, work, writing=True))
    except DirectoryRefused as refused:
        for pointer, reason in refused.problems:
            print(f"{args.file}: {pointer or '/'}: {reason}", file=sys.stderr)
        print(f"directory refused: {len(refused.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"directory imported: {summary or 'nothing to do'}")
    return 0


def _export_directory(args: argparse.Namespace, settings: Settings) -> int:
    """Write the whole directory as HSDS JSON to a file or standard output."""
    from service.routing.hsds import export_directory

    text = asyncio.run(_in_transaction(settings, export_directory, writing=False))
    if args.output == "-":
        sys.stdout.buffer.write(text.encode())
    else:
        with open(args.output, "w", encoding="utf-8") as file:
            file.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onestop", description="OneStop case service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-For from FORWARDED_ALLOW_IPS (behind a proxy)",
    )
    serve.add_argument(
        "--no-jobs",
        action="store_true",
        help="do not run the background jobs in the server (run `onestop worker` instead)",
    )
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser(
        "worker", help="run the background jobs (offers, deadlines, webhooks, clean-up)"
    )
    worker.set_defaults(handler=_worker)

    migrate = commands.add_parser("migrate", help="upgrade the database schema")
    migrate.add_argument("--revision", default="head")
    migrate.set_defaults(handler=_migrate)

    create_user = commands.add_parser(
        "create-user",
        help="create an account (password from ONESTOP_NEW_USER_PASSWORD or a prompt)",
    )
    create_user.add_argument("username")
    create_user.add_argument("--role", required=True, choices=[r.value for r in Role])
    create_user.add_argument("--display-name")
    create_user.add_argument(
        "--organization", type=uuid.UUID, help="the organization id of an agency account"
    )
    create_user.set_defaults(handler=_create_user)

    seed = commands.add_parser("seed-demo", help="create demo accounts and data (development)")
    seed.set_defaults(handler=_seed_demo)

    verify = commands.add_parser(
        "verify-audit", help="check the hash chain of every case's events (exit 1 if broken)"
    )
    verify.set_defaults(handler=_verify_audit)

    rotate = commands.add_parser(
        "rotate-data-key",
        help="re-seal id numbers (of cases and data-subject requests), lookup hashes, stored "
        "answers, webhook signing secrets and chain anchors with the current data key while "
        "the service runs (exit 1 if some could not move)",
    )
    rotate.add_argument("--batch", type=int, default=BATCH, help="rows per transaction")
    rotate.set_defaults(handler=_rotate_data_key)

    import_directory = commands.add_parser(
        "import-directory",
        help="add or update agencies and services from an HSDS JSON file, all or nothing "
        "(exit 1 with a line per problem when refused)",
    )
    import_directory.add_argument("file")
    import_directory.set_defaults(handler=_import_directory)

    export_directory = commands.add_parser(
        "export-directory", help="write the agency directory as HSDS JSON"
    )
    export_directory.add_argument("-o", "--output", default="-", help="a file, or - for stdout")
    export_directory.set_defaults(handler=_export_directory)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
        result: int = args.handler(args, settings)
        return result
    except (DomainError, InsecureSettings) as error:
        print(f"onestop: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"onestop: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
