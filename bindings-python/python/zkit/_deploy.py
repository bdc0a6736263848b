"""The static-site deploy of Zerokie clients (`deploy_site`), and its report and progress events.

The core plans, locks, uploads with bounded concurrency while a heartbeat keeps the lock, deletes and
finalizes; this module turns Python arguments into its input and its answers into models.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union, cast

from zkit import _zkit
from zkit._model import Model

if TYPE_CHECKING:
    from zkit._base import _NativeClient

__all__ = ["DeployEvent", "DeployReport", "SiteSource", "SiteDeploy", "AsyncSiteDeploy", "new_deploy_session_id"]

_log = logging.getLogger("zkit")

SiteSource = Union[str, "os.PathLike[str]", Mapping[str, Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"]]]
"""A folder, or site paths mapped to their contents: bytes (or text), or a file on disk (a path)."""


class DeployReport(Model):
    """What a deploy did (or, for a dry run, would do)."""

    __slots__ = ()
    _fields = tuple(
        (name, name)
        for name in (
            "app",
            "deploy_id",
            "timestamp",
            "cache_purged",
            "deploy_session_id",
            "files_uploaded",
            "files_deleted",
            "total_bytes",
            "files_unchanged",
            "uploaded",
            "deleted",
            "ignored",
            "dry_run",
            "elapsed_ms",
        )
    )

    @property
    def app(self) -> str:
        """The app."""
        return cast("str", self._data["app"])

    @property
    def deploy_id(self) -> str | None:
        """The recorded deployment; None for a dry run or when nothing changed."""
        return cast("Union[str, None]", self._data.get("deploy_id"))

    @property
    def timestamp(self) -> str | None:
        """When it was recorded (RFC 3339)."""
        return cast("Union[str, None]", self._data.get("timestamp"))

    @property
    def cache_purged(self) -> bool:
        """Whether the CDN cache was purged."""
        return cast("bool", self._data["cache_purged"])

    @property
    def deploy_session_id(self) -> str | None:
        """The deploy session that held the lock."""
        return cast("Union[str, None]", self._data.get("deploy_session_id"))

    @property
    def files_uploaded(self) -> int:
        """Files uploaded (the manifest is not counted)."""
        return cast("int", self._data["files_uploaded"])

    @property
    def files_deleted(self) -> int:
        """Files deleted."""
        return cast("int", self._data["files_deleted"])

    @property
    def total_bytes(self) -> int:
        """Bytes uploaded."""
        return cast("int", self._data["total_bytes"])

    @property
    def files_unchanged(self) -> int:
        """Files already on the site as they are."""
        return cast("int", self._data["files_unchanged"])

    @property
    def uploaded(self) -> list[str]:
        """The paths uploaded (planned, for a dry run)."""
        return cast("list[str]", self._data["uploaded"])

    @property
    def deleted(self) -> list[str]:
        """The paths deleted (planned, for a dry run)."""
        return cast("list[str]", self._data["deleted"])

    @property
    def ignored(self) -> list[str]:
        """The paths the ignore rules left out."""
        return cast("list[str]", self._data["ignored"])

    @property
    def dry_run(self) -> bool:
        """A dry run: nothing was changed."""
        return cast("bool", self._data["dry_run"])

    @property
    def elapsed_ms(self) -> int:
        """How long the deploy took, in milliseconds."""
        return cast("int", self._data["elapsed_ms"])


class DeployEvent(Model):
    """A step of a deploy. `event` says which: `planned` (with `uploads`, `upload_bytes`, `deletes`,
    `unchanged`, `ignored`), `file_started` and `file_done` (`path`, `length`), `bytes_sent` (`path`,
    `bytes`, `total_sent`), `deleting` (`path`), `lock_renewed`, `finalizing`, `done` (`report`).
    Other fields are reached by name: `event["uploads"]`."""

    __slots__ = ()
    _fields = (("event", "event"), ("path", "path"), ("report", "report"))

    @property
    def event(self) -> str:
        """Which step this is."""
        return cast("str", self._data["event"])

    @property
    def path(self) -> str | None:
        """The site path of a file event."""
        return cast("Union[str, None]", self._data.get("path"))

    @property
    def report(self) -> DeployReport | None:
        """The report, on `done`."""
        report = self._data.get("report")
        return None if report is None else DeployReport._wrap(report)


ProgressCallback = Callable[[DeployEvent], Any]


def _source(source: SiteSource) -> str | list[dict[str, Any]]:
    """The native form of a source: a folder path, or `{"path", "content" | "file"}` entries."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    if not isinstance(source, Mapping):
        raise TypeError(f"deploy_site() takes a folder or a mapping of site paths, not {type(source).__name__}")
    entries: list[dict[str, Any]] = []
    for path, content in source.items():
        if isinstance(content, os.PathLike):
            entries.append({"path": path, "file": os.fspath(content)})
        else:
            entries.append({"path": path, "content": content})
    return entries


def _options(
    dry_run: bool,
    delete_removed: bool,
    compare_content: bool,
    ignore: Sequence[str],
    concurrency: int,
    session_id: str | None,
    heartbeat_every: float,
) -> dict[str, Any]:
    if isinstance(ignore, str):
        ignore = [ignore]
    return {
        "dry_run": dry_run,
        "delete_removed": delete_removed,
        "compare_content": compare_content,
        "ignore": list(ignore),
        "concurrency": concurrency,
        "session_id": session_id,
        "heartbeat_ms": round(heartbeat_every * 1000),
    }


class SiteDeploy:
    """`deploy_site` for the blocking Zerokie client."""

    __slots__ = ()
    _native: _NativeClient

    def deploy_site(
        self,
        app: str,
        source: SiteSource,
        *,
        dry_run: bool = False,
        delete_removed: bool = True,
        compare_content: bool = True,
        ignore: Sequence[str] = (),
        concurrency: int = 8,
        session_id: str | None = None,
        heartbeat_every: float = 180.0,
        on_progress: ProgressCallback | None = None,
    ) -> DeployReport:
        """Deploys a static site: a folder, or site paths mapped to contents (bytes, text or a file).

        Uploads what is new or changed (by length, and by content hash against the manifest the last
        deploy left, unless `compare_content=False`), deletes what is gone (unless
        `delete_removed=False`), leaves out `.git/`, `.DS_Store` and the `ignore` globs, `concurrency`
        uploads at a time, while a heartbeat renews the deploy lock every `heartbeat_every` seconds;
        then finalizes. `dry_run=True` plans only. `on_progress` gets each `DeployEvent`. Ctrl-C
        stops the deploy before it finalizes (the lock then expires after 30 minutes; pass the
        `session_id` it names to resume). A lock held by another deploy raises ConflictError.
        """
        session = session_id or new_deploy_session_id()
        options = _options(dry_run, delete_removed, compare_content, ignore, concurrency, session, heartbeat_every)
        progress = None if on_progress is None else (lambda event: on_progress(DeployEvent._wrap(event)))
        report = _zkit.deploy_site(cast("_zkit.Zerokie", self._native), app, _source(source), options, progress)
        return DeployReport._wrap(report)


class AsyncSiteDeploy:
    """`deploy_site` for the asyncio Zerokie client."""

    __slots__ = ()
    _native: _NativeClient

    async def deploy_site(
        self,
        app: str,
        source: SiteSource,
        *,
        dry_run: bool = False,
        delete_removed: bool = True,
        compare_content: bool = True,
        ignore: Sequence[str] = (),
        concurrency: int = 8,
        session_id: str | None = None,
        heartbeat_every: float = 180.0,
        on_progress: ProgressCallback | None = None,
    ) -> DeployReport:
        """The deploy of `Zerokie.deploy_site`, awaited. `on_progress` runs on the event loop.
        Cancelling the task stops the deploy before it finalizes (the lock then expires after 30
        minutes; the warning logged on `zkit` names the `session_id` to resume with)."""
        session = session_id or new_deploy_session_id()
        options = _options(dry_run, delete_removed, compare_content, ignore, concurrency, session, heartbeat_every)
        progress = None
        if on_progress is not None:
            loop = asyncio.get_running_loop()
            callback = on_progress

            def progress(event: dict[str, Any]) -> None:
                loop.call_soon_threadsafe(callback, DeployEvent._wrap(event))

        try:
            native = cast("_zkit.Zerokie", self._native)
            report = await _zkit.deploy_site_async(native, app, _source(source), options, progress)
        except asyncio.CancelledError:
            _log.warning("%s", _zkit.deploy_cancelled_message(app, session))
            raise
        return DeployReport._wrap(report)


def new_deploy_session_id() -> str:
    """A fresh deploy session id (a version 4 UUID) for Zerokie's deploy lock."""
    import uuid

    return str(uuid.uuid4())
