"""Writes manifest.json: every operation document of the contract and its SHA-256 (trusted
documents). Run it after changing a document: `python frontend-contract/manifest.py`."""

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def manifest() -> dict[str, str]:
    return {str(p.relative_to(HERE)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(HERE.rglob("*.graphql"))}


if __name__ == "__main__":
    (HERE / "manifest.json").write_text(json.dumps(manifest(), indent=2, sort_keys=True) + "\n")
