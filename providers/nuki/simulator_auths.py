"""The simulated Nuki Web's keypad-code auths: a mapping by auth id that also keeps each lock's auths apart, so that
listing or checking one lock's codes costs what that lock holds, not what the whole cloud holds.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from providers.nuki.simulator_state import Auth


class AuthTable(MutableMapping[str, Auth]):
    """`auths[id]`, plus `of_lock(smartlock_id)` in the order the auths were added."""

    def __init__(self) -> None:
        self._by_id: dict[str, Auth] = {}
        self._by_lock: dict[int, dict[str, Auth]] = {}

    def __getitem__(self, auth_id: str) -> Auth:
        return self._by_id[auth_id]

    def __setitem__(self, auth_id: str, auth: Auth) -> None:
        if auth_id in self._by_id:
            del self[auth_id]
        self._by_id[auth_id] = auth
        self._by_lock.setdefault(auth.smartlock_id, {})[auth_id] = auth

    def __delitem__(self, auth_id: str) -> None:
        auth = self._by_id.pop(auth_id)
        del self._by_lock[auth.smartlock_id][auth_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def of_lock(self, smartlock_id: int) -> list[Auth]:
        return list(self._by_lock.get(smartlock_id, {}).values())
