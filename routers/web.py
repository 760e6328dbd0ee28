"""The web app at `/app/`: static files from `web/`, served by the API's own process.

No build step: HTML, CSS and ES modules as written. Every page and script comes from this
origin under a strict Content-Security-Policy (no inline script or style, nothing from another
origin), so an injected string cannot run. Only files that exist under `web/` with a known type
are served; anything else is 404. Pages are addressed after `#` (`/app/#/intake`), so the shell
is the only HTML document.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse, RedirectResponse

from service.platform.errors import NotFound

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
APP_PATH = "/app"
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# The shell and the service worker must be checked on every visit, so that a release reaches
# phones; the service worker keeps the copies used offline.
REVALIDATE = "no-cache"

web_router = APIRouter(include_in_schema=False)


def _headers(path: Path) -> dict[str, str]:
    headers = {
        "Cache-Control": REVALIDATE,
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(self)",
    }
    if path.name == "sw.js":
        headers["Service-Worker-Allowed"] = APP_PATH + "/"
    return headers


def _file(relative: str) -> Path | None:
    """The file under `web/` that `relative` names, or None (no escaping the folder)."""
    candidate = (WEB_ROOT / relative).resolve()
    if not candidate.is_relative_to(WEB_ROOT) or not candidate.is_file():
        return None
    if candidate.suffix not in MEDIA_TYPES:
        return None
    return candidate


def _serve(path: Path) -> FileResponse:
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=_headers(path))


@web_router.get(APP_PATH, summary="The web app")
async def app_root() -> RedirectResponse:
    """The web app lives under `/app/`."""
    return RedirectResponse(APP_PATH + "/", status_code=308)


@web_router.get(APP_PATH + "/{relative:path}", summary="A file of the web app")
async def app_file(relative: str) -> FileResponse:
    """A file of the web app (`/app/` is its shell, `index.html`)."""
    found = _file(relative or "index.html")
    if found is None:
        raise NotFound()
    return _serve(found)
