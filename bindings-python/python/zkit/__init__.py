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
does not name.
"""

# Each module's __all__ says what it exports; the generated one grows with the APIs' operation tables.
from zkit._base import *  # noqa: F403
from zkit._deploy import *  # noqa: F403
from zkit._generated import *  # noqa: F403
from zkit._model import *  # noqa: F403
from zkit._zkit import __version__ as __version__
from zkit.errors import *  # noqa: F403

import atexit as _atexit

from zkit._zkit import drain as _drain

# Async calls settle from the core's worker threads; let them leave the interpreter before it ends.
_atexit.register(_drain, 2.0)

