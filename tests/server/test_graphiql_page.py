"""GraphiQL, as partners open it: the page and every script and style it loads come from this
server (nothing from a CDN: it works offline, and a browser tells no third party), byte for
byte what the page's `integrity` attributes name; and in a real browser (Debian's Chromium,
driven by Playwright) it runs a query with the demo key already set."""

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services import free_port

CHROMIUM = "/usr/bin/chromium"
# As the machine's notes say: without the background-networking flags Chromium keeps trying to
# reach Google's hosts, which this machine (and CI's) refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
ASSET = re.compile(r'(?:src|href)="(?P<url>[^"]+)"\s+integrity="(?P<integrity>[^"]+)"')


async def test_the_page_loads_its_files_from_this_server(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "unpkg" not in page.text
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page.text)
    assets = ASSET.findall(page.text)
    assert len(assets) == 7  # React, ReactDOM, js-cookie, GraphiQL's script and style, ...
    for url, integrity in assets:
        assert url.startswith("/graphiql/"), url
        served = await client.get(url)
        assert served.status_code == 200, url
        kind = "text/css" if url.endswith(".css") else "javascript"
        assert kind in served.headers["content-type"], url
        digest = base64.b64encode(hashlib.sha384(served.content).digest()).decode()
        assert integrity == f"sha384-{digest}", url  # else the browser refuses the file


async def test_no_file_outside_the_assets_is_served(client: httpx.AsyncClient) -> None:
    for path in ("/graphiql/../app.py", "/graphiql/%2e%2e/app.py", "/graphiql/"):
        response = await client.get(path)
        assert response.status_code == 404, path


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`customerhub serve --demo` on a small demo database: its base URL and the key it
    printed."""
    folder = tmp_path_factory.mktemp("graphiql")
    env = {**os.environ,
           "CUSTOMERHUB_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'demo.db'}"}
    cli = [sys.executable, "-m", "server.cli"]
    for args in (["migrate"], ["seed-demo", "--customers", "40", "--orders", "120"]):
        done = subprocess.run([*cli, *args], env=env, capture_output=True, text=True,
                              timeout=120, check=False)
        assert done.returncode == 0, done.stderr
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--demo", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout is not None
        key = None
        deadline = time.monotonic() + 60
        while key is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            assert line, "the server exited before printing a key"
            if line.startswith("Demo API key:"):
                key = line.split(":", 1)[1].strip()
        assert key is not None
        base = f"http://127.0.0.1:{port}"
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, key
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so this fails instead of skipping")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.skipif(os.environ.get("CUSTOMERHUB_TEST_DATABASE") == "postgresql",
                    reason="run in the SQLite pass: the demo server it starts is the same")
def test_graphiql_runs_a_query_with_the_demo_key_in_a_real_browser(
        demo_server: tuple[str, str], browser: Any) -> None:
    base, key = demo_server
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sent_keys: list[str | None] = []
    page.on("request", lambda request: sent_keys.append(request.headers.get("authorization"))
            if request.method == "POST" else None)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{base}/graphql", wait_until="networkidle")
    page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=20_000)
    # The schema came through introspection, with the key the page was given.
    page.wait_for_function("document.querySelector('.graphiql-doc-explorer-toggle') !== null "
                           "|| document.querySelector('[aria-label*=\"Documentation\"]') !== null",
                           timeout=20_000)
    page.evaluate("""() => document.querySelector('.graphiql-query-editor .CodeMirror')
        .CodeMirror.setValue('{ customers(first: 2) { totalCount nodes { email } } }')""")
    page.click(".graphiql-execute-button")
    response = page.wait_for_function(
        """() => { const r = document.querySelector('.graphiql-response .CodeMirror');
                   const text = r && r.CodeMirror.getValue();
                   return text && text.includes('totalCount') ? text : null; }""",
        timeout=20_000).json_value()
    assert '"totalCount": 40' in response, response
    assert "errors" not in response
    assert sent_keys  # introspection and the query, each with the key the page was given
    assert set(sent_keys) == {f"Bearer {key}"}
    assert failed == []
    assert requested, "the browser made no request"
    outside = [url for url in requested if not url.startswith((base + "/", "data:"))]
    assert outside == []
    page.close()
