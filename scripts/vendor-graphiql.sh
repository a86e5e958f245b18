#!/usr/bin/env bash
# Copies the scripts and styles of Strawberry's GraphiQL page from the npm registry into
# server/static/graphiql/, so that the page works offline and loads nothing from a CDN, and
# checks each file against the SHA-384 that the page's `integrity` attribute names (the same
# bytes unpkg serves). Run it after upgrading strawberry-graphql if the page's versions moved;
# server/graphiql.py lists the files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=server/static/graphiql
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
rm -rf "$OUT"
.venv/bin/python -m server.graphiql --list | while read -r package path integrity; do
    dir="$WORK/${package//[@\/]/_}"
    if [ ! -d "$dir" ]; then
        mkdir -p "$dir" "$OUT/$package"
        (cd "$dir" && npm pack --silent "$package" >/dev/null && tar xzf ./*.tgz)
        cp "$dir/package/LICENSE"* "$OUT/$package/" 2>/dev/null || true
    fi
    mkdir -p "$(dirname "$OUT/$package/$path")"
    cp "$dir/package/$path" "$OUT/$package/$path"
    actual="sha384-$(openssl dgst -sha384 -binary "$OUT/$package/$path" | base64 -w0)"
    [ "$actual" = "$integrity" ] \
        || { echo "$package/$path: $actual; the page expects $integrity" >&2; exit 1; }
    echo "$package/$path"
done
