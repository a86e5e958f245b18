"""`schema.graphql` is what the code prints, and every front-end document validates against it."""

import json
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from resolvers.schema import schema

from environment import ROOT

CONTRACT = ROOT / "frontend-contract"


def test_schema_file_is_up_to_date() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == schema.as_str() + "\n", (
        "schema.graphql is stale: run `customerhub print-schema --output schema.graphql`")


DOCUMENTS = sorted(CONTRACT.rglob("*.graphql"))


def test_contract_has_documents() -> None:
    assert len(DOCUMENTS) >= 3


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_contract_document_validates(path: Path) -> None:
    sdl = build_schema((ROOT / "schema.graphql").read_text())
    document = parse(path.read_text())
    assert validate(sdl, document) == []
    assert len(document.definitions) >= 1


def test_manifest_lists_every_document_with_its_hash() -> None:
    import hashlib

    manifest = json.loads((CONTRACT / "manifest.json").read_text())
    expected = {str(p.relative_to(CONTRACT)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in DOCUMENTS}
    assert manifest == expected, "run `python frontend-contract/manifest.py` to refresh it"
