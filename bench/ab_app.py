"""The app that `bench/ab.py` serves from each revision: the project's own app, imported from the
revision's worktree, inside a timer that returns each request's server CPU time in a header.

    python -m uvicorn ab_app:create_app --factory --app-dir <this folder>
    # with the revision's worktree as the working directory, PYTHONPATH=<worktree> and
    # BENCH_AB_ROOT=<worktree>

Only the standard library is imported here, so that the module can be loaded from this checkout
while `server`, `resolvers`, `models` (and `demo`, `migrations`) come from the revision under
test, which knows nothing of the timer. Before the project is imported, `create_app` takes this
folder off `sys.path` and removes the editable install's import hook (which would map a package
the revision lacks, such as `demo` before f10b7b1, to the checkout the venv was installed from):
whatever the revision does not have then fails to import instead of coming from elsewhere.

Every HTTP response carries `Server-Timing: cpu;dur=<ms>`: `time.process_time()` around the
whole ASGI call, the response held until the app has returned, so that the JSON encoding and
whatever the app does after its last `send` are counted. `GET /__bench_ab__/modules` answers
with the files the project's packages were imported from (`ab.py` checks them).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PACKAGES = ("server", "resolvers", "models", "demo", "migrations")
CPU_HEADER = b"server-timing"
CHECK_PATH = "/__bench_ab__/modules"


def loaded_modules(root: str) -> dict[str, Any]:
    """Where the project's packages were imported from, and any module of them from outside
    `root` (there should be none)."""
    prefix = os.path.join(os.path.realpath(root), "")
    packages: dict[str, str | None] = {}
    outside: list[str] = []
    count = 0
    for name, module in list(sys.modules.items()):
        top = name.partition(".")[0]
        if top not in PACKAGES:
            continue
        file = getattr(module, "__file__", None)
        if name == top:
            packages[name] = file
        if file is None:  # namespace packages (server.static): their __path__ instead
            paths = list(getattr(module, "__path__", []))
            if not paths:
                continue
            file = paths[0]
        count += 1
        if not os.path.realpath(file).startswith(prefix):
            outside.append(f"{name}: {file}")
    return {"root": root, "pid": os.getpid(), "executable": sys.executable,
            "packages": {name: packages.get(name) for name in PACKAGES},
            "modules_loaded": count, "outside_root": sorted(outside)}


class CpuTimer:
    """ASGI middleware: the process's CPU time spent in each HTTP request, as a header."""

    def __init__(self, app: ASGIApp, root: str) -> None:
        self.app = app
        self.root = root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan
            await self.app(scope, receive, send)
            return
        if scope["path"] == CHECK_PATH:
            await self._check(send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        started = time.process_time()
        try:
            await self.app(scope, receive, hold)
        finally:
            cpu_ms = (time.process_time() - started) * 1000
            for message in held:
                if message["type"] == "http.response.start":
                    header = (CPU_HEADER, f"cpu;dur={cpu_ms:.3f}".encode())
                    message = {**message, "headers": [*message.get("headers", ()), header]}
                await send(message)

    async def _check(self, send: Send) -> None:
        body = json.dumps(loaded_modules(self.root)).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _isolate() -> str:
    """Import the project from BENCH_AB_ROOT only: see the module's docstring."""
    root = os.environ["BENCH_AB_ROOT"]
    here = os.path.dirname(os.path.realpath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != here]
    sys.meta_path[:] = [finder for finder in sys.meta_path
                        if not getattr(finder, "__module__", "").startswith("__editable__")]
    sys.path_hooks[:] = [hook for hook in sys.path_hooks
                         if not getattr(hook, "__module__", "").startswith("__editable__")]
    sys.path_importer_cache.clear()
    already = sorted(name for name in sys.modules if name.partition(".")[0] in PACKAGES)
    if already:
        raise RuntimeError(f"imported before the worktree was put first: {already}")
    if os.path.realpath(sys.path[0] or ".") != os.path.realpath(root):
        sys.path.insert(0, root)
    return root


def create_app() -> CpuTimer:
    root = _isolate()
    from server.app import create_app as project_app

    app = CpuTimer(project_app(), root)
    print("bench.ab_app " + json.dumps(loaded_modules(root)), file=sys.stderr, flush=True)
    return app
