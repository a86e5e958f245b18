"""The GraphiQL page: Strawberry's own, with its scripts and styles served by this server from
server/static/graphiql/ rather than from unpkg.com, so that it works on a machine without
internet and a partner's browser fetches nothing from third parties; and, in the demo, with the
API key already in its request headers.

The files are the very bytes the page's `integrity` attributes name (SHA-384), copied from the
npm registry by scripts/vendor-graphiql.sh, which `python -m server.graphiql --list` feeds.
"""

import json
import re
import sys
from functools import cache
from pathlib import Path

from strawberry.http.ides import get_graphql_ide_html

ASSETS = Path(__file__).parent / "static" / "graphiql"
ASSETS_PATH = "/graphiql"  # where the app mounts ASSETS
CDN = "https://unpkg.com/"
# `src="https://unpkg.com/react@18.2.0/umd/react.production.min.js"` and the integrity after it
REFERENCE = re.compile(r'(?:src|href)="https://unpkg\.com/(?P<package>(?:@[^/"]+/)?[^/@"]+@[^/"]+)'
                       r'/(?P<path>[^"]+)"\s+integrity="(?P<integrity>sha384-[^"]+)"')


@cache
def strawberry_page() -> str:
    return get_graphql_ide_html(graphql_ide="graphiql")


def references(html: str) -> list[tuple[str, str, str]]:
    """(package@version, path in the package, integrity) of each file the page loads."""
    return [(m["package"], m["path"], m["integrity"]) for m in REFERENCE.finditer(html)]


def graphiql_page(root_path: str = "", api_key: str | None = None) -> str:
    html = strawberry_page().replace(CDN, f"{root_path}{ASSETS_PATH}/")
    if api_key:
        headers = {"Authorization": f"Bearer {api_key}"}
        html = html.replace(
            "const defaultHeaders = {};",
            f"const defaultHeaders = {json.dumps(headers)};",
        ).replace(
            "React.useState(parameters.headers)",
            f"React.useState(parameters.headers || {json.dumps(json.dumps(headers))})",
        )
    return html


def main() -> int:
    """`--list`: a line per file the page loads, for scripts/vendor-graphiql.sh."""
    if sys.argv[1:] != ["--list"]:
        print("usage: python -m server.graphiql --list", file=sys.stderr)
        return 2
    for package, path, integrity in references(strawberry_page()):
        print(package, path, integrity)
    return 0


if __name__ == "__main__":
    sys.exit(main())
