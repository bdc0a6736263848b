"""zkit: typed, retrying, rate-limit-aware clients for the Zerokie, Zenifra, Zenovay and Zyra APIs.

    import zkit

    with zkit.Zerokie() as zerokie:            # ZEROKIE_API_KEY, optional ZEROKIE_BASE_URL
        app = zerokie.create_app(name="my-app", image="nginx:alpine", port=80)
        print(app.name, app.status)

    with zkit.Zyra(email="ada@example.com", password=...) as zyra:   # or ZYRA_API_KEY
        for device in zyra.iter_devices(limit=200):                  # lazily, page by page
            print(device.id, device.status)

`zkit.AsyncZerokie` (and `AsyncZenifra`, …) is the same client for asyncio, with `async for` over its
`iter_…` walks. Every call also takes the keywords `timeout`, `deadline`, `max_retries`,
`idempotency_key` and `rate_limit`; failures raise subclasses of `zkit.ZkitError`. Results are
`zkit.Model`s: typed attributes, plus `result["wireName"]` and `result.extra` for fields this version
does not name. `client.with_raw_response.get_app(...)` gives the result with the response's status,
headers and request id.

Logs go to the standard `logging` logger "zkit", off unless asked for: `ZKIT_LOG=debug` (or `info`,
`warn`) in the environment, which also prints them to stderr, or `log="debug"` on a client, or a
level set on `logging.getLogger("zkit")`. Keys and sensitive headers never show in them.
"""

# Each module's __all__ says what it exports; the generated one grows with the APIs' operation tables.
from zkit._base import *  # noqa: F403
from zkit._deploy import *  # noqa: F403
from zkit._generated import *  # noqa: F403
from zkit._model import *  # noqa: F403
from zkit._zkit import __version__ as __version__
from zkit.errors import *  # noqa: F403

import atexit as _atexit
import logging as _logging
import os as _os

from zkit._zkit import drain as _drain

def _log_from_env() -> None:
    """With ZKIT_LOG set, the `zkit` logger prints to stderr at that level (unless it was given
    handlers already); the clients send it records at that level."""
    level = _os.environ.get("ZKIT_LOG", "").strip().lower()
    levels = {"debug": _logging.DEBUG, "trace": _logging.DEBUG, "info": _logging.INFO}
    levels.update({"warn": _logging.WARNING, "warning": _logging.WARNING, "error": _logging.ERROR})
    if level not in levels:
        return
    logger = _logging.getLogger("zkit")
    if not logger.handlers:
        handler = _logging.StreamHandler()
        handler.setFormatter(_logging.Formatter("[%(asctime)s %(levelname)s %(name)s] %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(levels[level])


_log_from_env()

# Async calls settle from the core's worker threads; let them leave the interpreter before it ends.
_atexit.register(_drain, 2.0)

