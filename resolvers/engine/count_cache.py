"""Totals of customer lists, kept a few seconds in the process.

An admin pages through one filter for a while, and every page asks for the same `totalCount`;
counting 200,000 matching customers costs PostgreSQL about 20 ms each time (bench/README.md).
A total is kept for `seconds` under everything it depends on (organization, store scope, the
organization's phone country, the criteria). Any write through this process drops its
organization's totals at once (`Context.write_session`); writes by other processes or the CLI
show in the total within `seconds`. `seconds=0` turns it off.
"""

import time
from collections.abc import Hashable


class CountCache:
    def __init__(self, seconds: float, max_entries: int = 10_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[tuple[int, Hashable], tuple[float, int]] = {}

    def get(self, organization_id: int, key: Hashable) -> int | None:
        entry = self._entries.get((organization_id, key))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, organization_id: int, key: Hashable, count: int) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[(organization_id, key)] = (time.monotonic() + self.seconds, count)

    def forget_organization(self, organization_id: int) -> None:
        for entry in [k for k in self._entries if k[0] == organization_id]:
            self._entries.pop(entry, None)
