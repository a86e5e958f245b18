"""The `customerhub` command as a user runs it: migrate, create an API key, serve."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from services import free_port


def run_cli(*args: str, env: dict[str, str], timeout: float = 120
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, text=True,
                          capture_output=True, timeout=timeout, check=False)


def cli_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "CUSTOMERHUB_DATABASE_URL":
            f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}


def test_create_api_key_prints_the_key_alone(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert run_cli("migrate", env=env).returncode == 0
    missing = run_cli("create-api-key", "nobody", env=env)
    assert missing.returncode == 1
    assert "no organization" in missing.stderr
    seeded = run_cli("seed-demo", "--customers", "60", "--orders", "200", env=env)
    assert seeded.returncode == 0, seeded.stderr
    made = run_cli("create-api-key", "demo", env=env)
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("chk_")
    assert len(lines[0]) > 40


def test_serve_demo_answers_with_the_printed_key(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--demo", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        key = None
        assert server.stdout is not None
        deadline = time.monotonic() + 120
        while key is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            assert line, "server exited before printing a key"
            if line.startswith("Demo API key:"):
                key = line.split(":", 1)[1].strip()
        assert key is not None
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert f"Bearer {key}" in page.text  # GraphiQL opens with the key set
        response = httpx.post(f"{base}/graphql", json={"query": "{ customers { totalCount } }"},
                              headers={"Authorization": f"Bearer {key}"})
        assert response.json()["data"]["customers"]["totalCount"] >= 2000
    finally:
        server.terminate()
        server.wait(timeout=20)
