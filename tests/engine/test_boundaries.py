"""What resolvers/engine may import and read, checked on its source.

The engine serves the API's domains and imports none of them (they import it); it reaches
graphql-core's and Strawberry's internals only through resolvers/engine/internals.py, whose
uses tests/engine/test_internals.py checks; and each of its modules says what it holds.
"""

import ast
from pathlib import Path

import pytest

from environment import ROOT

ENGINE = ROOT / "resolvers" / "engine"
MODULES = sorted(ENGINE.rglob("*.py"))
ADAPTER = ENGINE / "internals.py"

# Ours that the engine may use: the models, and the API's pagination and common helpers.
OURS = ("resolvers.engine", "resolvers.pagination", "resolvers.common", "models")
# graphql-core's and Strawberry's public modules; anything else is the adapter's to import.
PUBLIC = {"graphql", "graphql.pyutils", "graphql.utilities", "graphql.validation",
          "strawberry", "strawberry.exceptions", "strawberry.extensions", "strawberry.types"}


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def imported(path: Path) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name(path)}: relative import"
            modules.append(node.module or "")
    return modules


def test_the_modules_are_found() -> None:
    assert ADAPTER in MODULES
    assert len(MODULES) > 10


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_the_engine_imports_no_domain_package(path: Path) -> None:
    for module in imported(path):
        top = module.split(".")[0]
        if top in ("resolvers", "models", "server", "demo", "migrations"):
            assert module.startswith(OURS), f"{name(path)} imports {module}"


@pytest.mark.parametrize("path", [p for p in MODULES if p != ADAPTER], ids=name)
def test_only_the_adapter_reaches_library_internals(path: Path) -> None:
    for module in imported(path):
        if module.split(".")[0] in ("graphql", "strawberry"):
            assert module in PUBLIC, (
                f"{name(path)} imports {module}: reach it through resolvers/engine/internals.py")
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            assert owner == "self", (
                f"{name(path)}:{node.lineno} reads `.{node.attr}` of another object: a "
                "private attribute is reached through resolvers/engine/internals.py")


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_every_module_opens_with_a_docstring(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    assert len(docstring) > 40, f"{name(path)} has no docstring saying what it holds"
