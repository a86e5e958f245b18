#!/usr/bin/env bash
# The run command (README): installs into .venv, migrates the embedded SQLite database in
# ./data/, seeds the demo organization when it is missing, prints an API key and serves
# GraphiQL at http://127.0.0.1:8000/graphql with that key already set. Extra arguments go to
# `customerhub serve` (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "scripts/run.sh: needs Python 3.11 or newer" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
STAMP=.venv/.customerhub-run-installed
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -e .
    touch "$STAMP"
fi
exec .venv/bin/customerhub serve --demo "$@"
