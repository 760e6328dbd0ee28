"""The application as a server starts it (its own engine, through the lifespan)."""

from __future__ import annotations

import gc
from typing import Any

from service.app import create_app
from tests.conftest import make_settings


async def test_serving_sets_startup_objects_aside_from_the_collector(engine: Any) -> None:
    """A served app freezes what startup built, so that full collections do not rescan it
    (they paused workers for 100 ms and more under load)."""
    gc.unfreeze()
    settings = make_settings(jobs_in_server=False)
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


async def test_an_app_given_a_session_factory_leaves_the_collector_alone(app: Any) -> None:
    """Tests hand the app their own sessions; nothing is frozen for them."""
    gc.unfreeze()
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == 0
