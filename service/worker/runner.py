"""Runs the background jobs: a round of every job, over and over, until told to stop.

Each batch of a job is its own transaction and its own session; a job that fails is logged
(its name and the error's type, never a value) and the others still run. The clock is a
function the tests can replace, so time can be moved forward without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.base import utcnow
from service.platform.db import begin
from service.platform.settings import Settings
from service.worker.jobs import JOBS, Job

log = logging.getLogger("onestop.worker")

Clock = Callable[[], datetime]


async def run_job(
    sessionmaker: async_sessionmaker[AsyncSession], job: Job, *, settings: Settings, now: datetime
) -> int:
    """Run `job` batch after batch, one transaction each (or its own), until a batch comes
    back short."""
    batch = settings.jobs_batch_size
    total = 0
    while True:
        if not job.in_one_transaction:
            handled = await job.run(sessionmaker, settings=settings, now=now, batch=batch)
        else:
            async with sessionmaker() as session, session.begin():
                await begin(session, writing=True)
                handled = await job.run(session, settings=settings, now=now, batch=batch)
        total += handled
        if handled < batch:
            return total


async def run_round(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    settings: Settings,
    now: datetime,
    jobs: Sequence[Job] = JOBS,
) -> dict[str, int]:
    """Run every job once; returns how many items each handled (-1 for a job that failed)."""
    handled: dict[str, int] = {}
    for job in jobs:
        try:
            handled[job.name] = await run_job(sessionmaker, job, settings=settings, now=now)
        except Exception as error:  # one failing job must not stop the others
            log.error("job failed", extra={"event": f"{job.name}: {type(error).__name__}"})
            handled[job.name] = -1
    if any(count for count in handled.values()):
        log.info("jobs ran", extra={"event": ",".join(f"{n}={c}" for n, c in handled.items())})
    return handled


async def run_worker(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    settings: Settings,
    stop: asyncio.Event,
    clock: Clock = utcnow,
    jobs: Sequence[Job] = JOBS,
) -> None:
    """Run rounds every `jobs_interval_seconds` until `stop` is set."""
    while not stop.is_set():
        await run_round(sessionmaker, settings=settings, now=clock(), jobs=jobs)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.jobs_interval_seconds)


class RunningJobs:
    """The worker running as a task of the server's event loop."""

    def __init__(self, task: asyncio.Task[None], stop_event: asyncio.Event) -> None:
        self._task = task
        self._stop = stop_event

    async def stop(self) -> None:
        """Let the current round finish, then end."""
        self._stop.set()
        await self._task


def start_jobs(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> RunningJobs:
    """Start the worker inside the server process (`jobs_in_server`)."""
    stop_event = asyncio.Event()
    task = asyncio.create_task(run_worker(sessionmaker, settings=settings, stop=stop_event))
    return RunningJobs(task, stop_event)
