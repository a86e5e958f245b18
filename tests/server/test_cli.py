"""The `customerhub` command as a user runs it: migrate, manage staff users and API keys,
serve."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from models.access.staff import StaffUser
from server.access_commands import demo_owner
from server.app import create_app
from server.db import Database
from server.settings import Settings

from clients import SIGN_IN
from factories import OrgFixture
from services import free_port


def run_cli(*args: str, env: dict[str, str], timeout: float = 120, stdin: str = ""
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, text=True,
                          input=stdin, capture_output=True, timeout=timeout, check=False)


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
        key = owner = None
        assert server.stdout is not None
        deadline = time.monotonic() + 120
        while owner is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            assert line, "server exited before printing a key"
            if line.startswith("Demo API key:"):
                key = line.split(":", 1)[1].strip()
            owner = re.search(r"email (\S+), password (\S+)", line)
        assert key is not None
        assert owner is not None
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
        signed_in = httpx.post(f"{base}/graphql", json={"query": SIGN_IN, "variables": {
            "input": {"organization": "demo", "email": owner[1], "password": owner[2]}}})
        assert signed_in.json()["data"]["signIn"]["user"]["role"] == "OWNER"
    finally:
        server.terminate()
        server.wait(timeout=20)


async def sign_in(client: httpx.AsyncClient, organization: str, email: str, password: str
                  ) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": SIGN_IN, "variables": {"input": {
        "organization": organization, "email": email, "password": password}}})
    payload: dict[str, Any] = response.json()["data"]["signIn"]
    return payload


async def test_access_commands(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert run_cli("migrate", env=env).returncode == 0
    seeded = run_cli("seed-demo", "--customers", "20", "--orders", "40", env=env)
    assert seeded.returncode == 0, seeded.stderr
    password = "correct horse battery\n"

    owner = run_cli("create-user", "demo", "Ana@Demo.example", "--role", "OWNER",
                    "--password-stdin", env=env, stdin=password)
    assert owner.returncode == 0, owner.stderr
    assert owner.stdout.split("\t")[1:] == ["ana@demo.example", "OWNER\n"]
    manager = run_cli("create-user", "demo", "luis@demo.example", "--role", "MANAGER",
                      "--store", "MAD", "--name", "Luis", "--password-stdin", env=env,
                      stdin=password)
    assert manager.returncode == 0, manager.stderr
    for args, stdin, message in (
            (("ana@demo.example", "--role", "VIEWER"), password, "email: DUPLICATE"),
            (("x@demo.example", "--role", "MANAGER", "--store", "ZZZ"), password,
             "no store with code ZZZ"),
            (("x@demo.example", "--role", "VIEWER"), "short\n", "password: INVALID")):
        refused = run_cli("create-user", "demo", *args, "--password-stdin", env=env, stdin=stdin)
        assert refused.returncode == 1
        assert message in refused.stderr
    no_terminal = run_cli("create-user", "demo", "y@demo.example", "--role", "VIEWER", env=env,
                          stdin=password)
    assert no_terminal.returncode == 1
    assert "--password-stdin" in no_terminal.stderr

    reader = run_cli("create-api-key", "demo", "--name", "BI", "--scopes", "customers:read",
                     env=env).stdout.strip()
    assert reader.startswith("chk_")
    full = run_cli("create-api-key", "demo", env=env).stdout.strip()
    bogus = run_cli("create-api-key", "demo", "--scopes", "customers:read,bogus", env=env)
    assert bogus.returncode == 1
    assert "bogus" in bogus.stderr
    listed = run_cli("list-api-keys", "demo", env=env)
    assert listed.returncode == 0
    rows = [line.split("\t") for line in listed.stdout.splitlines()[1:]]
    assert [(row[2], row[3]) for row in rows] == [
        ("BI", "customers:read"),
        ("cli", "customers:read,customers:write,orders:write,exports,subscriptions")]
    assert reader not in listed.stdout
    revoked = run_cli("revoke-api-key", "demo", rows[0][0], env=env)
    assert revoked.returncode == 0, revoked.stderr
    assert run_cli("revoke-api-key", "demo", "999999", env=env).returncode == 1
    assert "no organization" in run_cli("list-api-keys", "nobody", env=env).stderr

    db = Database.connect(env["CUSTOMERHUB_DATABASE_URL"])
    app = create_app(Settings(database_url=env["CUSTOMERHUB_DATABASE_URL"]), db=db)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://cli") as client:
            signed_in = await sign_in(client, "demo", "ana@demo.example",
                                      "correct horse battery")
            assert signed_in["user"]["role"] == "OWNER"
            as_manager = await sign_in(client, "demo", "luis@demo.example",
                                       "correct horse battery")
            assert as_manager["user"]["role"] == "MANAGER"
            assert len(as_manager["user"]["stores"]) == 1
            query = {"query": "{ customers { totalCount } }"}
            assert (await client.post("/graphql", json=query, headers={
                "Authorization": f"Bearer {reader}"})).status_code == 401
            assert (await client.post("/graphql", json=query, headers={
                "Authorization": f"Bearer {full}"})).status_code == 200
    finally:
        await db.dispose()


async def test_the_demo_owner_gets_a_new_password_each_time(org: OrgFixture, client: Any,
                                                            database_url: str) -> None:
    settings = Settings(database_url=database_url)
    email, first = await demo_owner(settings, org.slug)
    assert (await sign_in(client, org.slug, email, first))["user"]["role"] == "OWNER"
    again, second = await demo_owner(settings, org.slug)
    assert again == email
    assert second != first
    assert (await sign_in(client, org.slug, email, first))["userErrors"][0]["code"] == (
        "INVALID_CREDENTIALS")
    assert (await sign_in(client, org.slug, email, second))["userErrors"] == []
    async with org.db.admin_session() as session:
        assert await session.scalar(select(func.count()).select_from(StaffUser).where(
            StaffUser.organization_id == org.id)) == 1
