#!/usr/bin/env bash
# The test command (README): on a fresh Debian 12 machine it installs what is missing
# (PostgreSQL, Redis, Chromium, the venv), then runs ruff, mypy, the layer contracts (import-linter)
# and the suite twice: on SQLite and on PostgreSQL. Extra arguments go to pytest:
#   scripts/test.sh -x -k customers
# Every step runs even when an earlier one failed (except installing); exit code 1 if any failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT
say() { printf '\n==> %s\n' "$*"; }
die() { printf 'scripts/test.sh: %s\n' "$*" >&2; exit 1; }
quiet() {  # quiet LOGNAME COMMAND...: keep the output out of the way unless it fails
    "${@:2}" >"$LOGS/$1.log" 2>&1 && return 0
    tail -n 40 "$LOGS/$1.log" >&2
    return 1
}

# --- Debian packages -------------------------------------------------------------------------
SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi

python_ok() {
    "$1" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}
PYTHON=${PYTHON:-python3}

need=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql postgresql-contrib)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
python_ok "$PYTHON" || need+=(python3 python3-venv)
[ -x /usr/bin/chromium ] || need+=(chromium)  # the GraphiQL page is tested in a real browser

if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
        die "missing ${need[*]}: not root and no sudo; install them with apt-get"
    fi
    say "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    quiet apt "${SUDO[@]}" apt-get update -q || die "apt-get update failed"
    quiet apt "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${need[@]}" </dev/null \
        || die "apt-get install ${need[*]} failed"
    # The tests start their own servers; stop the default ones if the packages started them.
    if [[ " ${need[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null; then
        pg_lsclusters --no-header 2>/dev/null | awk '$4 == "online" {print $1, $2}' |
            while read -r version cluster; do
                "${SUDO[@]}" pg_ctlcluster "$version" "$cluster" stop || true
            done
    fi
    if [[ " ${need[*]} " == *" redis-server "* ]] && command -v service >/dev/null; then
        "${SUDO[@]}" service redis-server stop >/dev/null 2>&1 || true
    fi
fi
if ! python_ok "$PYTHON"; then
    PYTHON=/usr/bin/python3
    python_ok "$PYTHON" || die "need python3 >= 3.11 with venv (python3-venv)"
fi

# --- venv ------------------------------------------------------------------------------------
VENV=.venv
STAMP=$VENV/.customerhub-installed
if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "creating $VENV with $("$PYTHON" --version)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || die "python3 -m venv failed"
fi
want=$(cat pyproject.toml "$VENV/pyvenv.cfg" | sha256sum | cut -d' ' -f1)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ] \
    || ! "$VENV/bin/python" -c 'import server' 2>/dev/null; then
    say "pip install -e '.[test]'"
    rm -f "$STAMP"
    quiet pip "$VENV/bin/python" -m pip install --disable-pip-version-check -e '.[test]' \
        || die "pip install -e '.[test]' failed"
    echo "$want" >"$STAMP"
fi

# --- checks ----------------------------------------------------------------------------------
export PATH="$PWD/$VENV/bin:$PATH"
results=()
failed=0

step() {  # step NAME COMMAND...: run it, tee its output, remember status, time and last line
    local name=$1 start rc last status
    shift
    say "$name: $*"
    start=$SECONDS
    "$@" 2>&1 | tee "$LOGS/$name.log"
    rc=${PIPESTATUS[0]}
    last=$(grep -v '^[[:space:]]*$' "$LOGS/$name.log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then status=ok; else status="FAILED (exit $rc)"; failed=1; fi
    results+=("$(printf '%-18s %-16s %4ss  %s' "$name" "$status" $((SECONDS - start)) "$last")")
    if [[ $name == pytest* ]]; then  # add up pytest's counts for the closing line
        passed=$((passed + $(count passed "$last")))
        skipped=$((skipped + $(count skipped "$last")))
        broken=$((broken + $(count failed "$last") + $(count error "$last")))
        [ "$rc" -eq 0 ] || [[ $last =~ [0-9]+\ (failed|error) ]] || broken=$((broken + 1))
    fi
}
count() {  # count WORD LINE: the number before WORD in a pytest summary line, or 0
    local n
    n=$(grep -oE "[0-9]+ $1" <<<"$2" | head -n 1 | cut -d' ' -f1)
    echo "${n:-0}"
}
passed=0 skipped=0 broken=0

step ruff ruff check .
step mypy mypy
step import-linter lint-imports
step pytest-sqlite env CUSTOMERHUB_TEST_DATABASE=sqlite pytest "$@"
step pytest-postgresql env CUSTOMERHUB_TEST_DATABASE=postgresql pytest "$@"

say "summary"
printf '%s\n' "${results[@]}"
echo "total: $passed passed, $broken failed, $skipped skipped"
exit "$failed"
