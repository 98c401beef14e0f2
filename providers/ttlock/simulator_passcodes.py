"""The simulated TTLock passcodes: custom codes added, changed and deleted in the cloud only (type 1, the default:
the lock never hears of it) or through the gateway (type 2) or asynchronously to a Wi-Fi lock (addType 4); random
codes computed without the lock; and codes the owner changes in the TTLock app over Bluetooth (on the lock at once).
"""

from __future__ import annotations

from datetime import datetime

from providers.ttlock.simulator_codes import (
    CUSTOM_CAPACITY,
    check_custom_code,
    custom_window,
    derive_code,
    lock_window,
    random_window,
)
from providers.ttlock.simulator_devices import SimulatedLocks
from providers.ttlock.simulator_state import Lock, LockCode, Passcode, PwdStatus, PwdType, TTLockError, ms

CLOUD_ONLY, THROUGH_GATEWAY, NB_IOT, WIFI_ASYNC = 1, 2, 3, 4
"""`addType`, `changeType`, `deleteType` values (4 only for adds)."""


def _check_way(way: int, *, allowed: tuple[int, ...]) -> None:
    if way == NB_IOT:
        raise TTLockError(-4043)
    if way not in allowed:
        raise TTLockError(-3, f"Invalid Parameter: type {way}")


class SimulatedPasscodes(SimulatedLocks):
    """Passcodes in the cloud (`passcodes`) and on the locks (`Lock.codes`), and the ways they change."""

    def lock_passcodes(self, lock_id: int) -> list[Passcode]:
        """The lock's passcodes as the cloud lists them, oldest first."""
        return [pwd for pwd in self.passcodes.values() if pwd.lock_id == lock_id]

    def lock_codes(self, lock_id: int) -> dict[str, str]:
        """PIN -> name of the codes the lock itself holds (cloud-only codes are not there)."""
        return {held.code: held.name for held in self.locks[lock_id].codes.values()}

    def passcode_of(self, lock: Lock, keyboard_pwd_id: int) -> Passcode:
        pwd = self.passcodes.get(keyboard_pwd_id)
        if pwd is None or pwd.lock_id != lock.lock_id:
            raise TTLockError(-2009)
        return pwd

    # -- checks -----------------------------------------------------------------------------------------------

    def _check_code(self, lock: Lock, code: str, *, on_lock: bool, exclude: int | None = None) -> None:
        """-3006/-2032 by the rules; -3007 when the cloud (or, for a write to the lock, the lock) has the PIN."""
        check_custom_code(code)
        cloud = [pwd.code for pwd in self.lock_passcodes(lock.lock_id) if pwd.keyboard_pwd_id != exclude]
        held = [other.code for other in lock.codes.values() if other.keyboard_pwd_id != exclude] if on_lock else []
        if code in cloud or code in held:
            raise TTLockError(-3007)

    def _check_space(self, lock: Lock, *, on_lock: bool) -> None:
        in_cloud = sum(pwd.is_custom for pwd in self.lock_passcodes(lock.lock_id))
        held = sum(not code.random for code in lock.codes.values()) if on_lock else 0
        if max(in_cloud, held) >= CUSTOM_CAPACITY:
            raise TTLockError(-3009)

    # -- records ----------------------------------------------------------------------------------------------

    def _new_passcode(
        self, lock: Lock, code: str, name: str, kind: int, window: tuple[int, int], *, custom: bool, sender: str
    ) -> Passcode:
        pwd_id, (start, end) = self.new_id("pwd"), window
        pwd = Passcode(pwd_id, lock.lock_id, code, name, kind, start, end, self.now_ms(), custom, sender)
        self.passcodes[pwd_id] = pwd
        return pwd

    def _hold(self, lock: Lock, pwd: Passcode) -> None:
        """The lock now holds the passcode as the cloud has it (its first use, if any, is kept)."""
        local_start, local_end = lock_window(lock, pwd.type, pwd.start, pwd.end)
        before = lock.codes.get(pwd.keyboard_pwd_id)
        lock.codes[pwd.keyboard_pwd_id] = LockCode(
            keyboard_pwd_id=pwd.keyboard_pwd_id,
            code=pwd.code,
            name=pwd.name,
            type=pwd.type,
            local_start=local_start,
            local_end=local_end,
            random=not pwd.is_custom,
            first_used=before.first_used if before else None,
        )

    def _forget(self, lock: Lock, pwd: Passcode) -> None:
        self.passcodes.pop(pwd.keyboard_pwd_id, None)
        if pwd.origin is not None:
            lock.deleted_random.add(pwd.origin)

    # -- through the API --------------------------------------------------------------------------------------

    async def add_custom(
        self, lock: Lock, sender: str, *, code: str, name: str, kind: int, start: int | None, end: int | None, way: int
    ) -> int:
        """`keyboardPwd/add`: the keyboardPwdId. Type 1 stores it in the cloud only; 2 waits for the gateway."""
        if not lock.keypad or (way == WIFI_ASYNC and not lock.wifi):
            raise TTLockError(-4043)
        _check_way(way, allowed=(CLOUD_ONLY, THROUGH_GATEWAY, WIFI_ASYNC))
        window = custom_window(kind, start, end, self.now_ms())
        self._check_code(lock, code, on_lock=way != CLOUD_ONLY)
        self._check_space(lock, on_lock=way != CLOUD_ONLY)
        if way == CLOUD_ONLY:
            return self._new_passcode(lock, code, name, kind, window, custom=True, sender=sender).keyboard_pwd_id
        if way == WIFI_ASYNC:
            pwd = self._new_passcode(lock, code, name, kind, window, custom=True, sender=sender)
            pwd.status = PwdStatus.ADDING
            self.spawn(self._add_later(lock, pwd))
            return pwd.keyboard_pwd_id
        async with self.remote(lock):
            pwd = self._new_passcode(lock, code, name, kind, window, custom=True, sender=sender)
            pwd.status = PwdStatus.ADDING
            try:
                await self.reach(lock)
            except BaseException:
                self.passcodes.pop(pwd.keyboard_pwd_id, None)
                raise
        pwd.status = PwdStatus.NORMAL
        self._hold(lock, pwd)
        return pwd.keyboard_pwd_id

    async def _add_later(self, lock: Lock, pwd: Passcode) -> None:
        """With addType 4 the Wi-Fi lock gets the code when it wakes; a failure leaves status 5 (add failed)."""
        try:
            async with self.remote(lock):
                await self.reach(lock)
        except TTLockError:
            pwd.status = PwdStatus.ADD_FAILED
            return
        if pwd.keyboard_pwd_id in self.passcodes:
            pwd.status = PwdStatus.NORMAL
            self._hold(lock, pwd)

    async def change_passcode(
        self, lock: Lock, pwd: Passcode, *, name: str | None, code: str | None, window: tuple[int, int] | None, way: int
    ) -> None:
        """`keyboardPwd/change`. A name alone is the cloud's business (no gateway); otherwise type 1 changes only the
        cloud's copy (the lock keeps the old one) and 2 changes both through the gateway. -3008 for a random code
        the lock has never seen used.
        """
        if code is None and window is None:
            self._rename(lock, pwd, name)
            return
        held = lock.codes.get(pwd.keyboard_pwd_id)
        if not pwd.is_custom and (held is None or held.first_used is None):
            raise TTLockError(-3008)
        _check_way(way, allowed=(CLOUD_ONLY, THROUGH_GATEWAY))
        if code is not None:
            self._check_code(lock, code, on_lock=way == THROUGH_GATEWAY, exclude=pwd.keyboard_pwd_id)
        if way == THROUGH_GATEWAY:
            async with self.remote(lock):
                pwd.status = PwdStatus.MODIFYING
                try:
                    await self.reach(lock)
                finally:
                    pwd.status = PwdStatus.NORMAL
        pwd.name = pwd.name if name is None else name
        pwd.code = pwd.code if code is None else code
        if window is not None:
            pwd.type, (pwd.start, pwd.end) = PwdType.PERIOD, window
        if way == THROUGH_GATEWAY:
            self._hold(lock, pwd)

    def _rename(self, lock: Lock, pwd: Passcode, name: str | None) -> None:
        if name is None:
            return
        pwd.name = name
        if pwd.keyboard_pwd_id in lock.codes:
            lock.codes[pwd.keyboard_pwd_id].name = name

    async def delete_passcode(self, lock: Lock, pwd: Passcode, way: int) -> None:
        """`keyboardPwd/delete`: type 1 forgets it in the cloud only (the lock still opens with it!), 2 through the
        gateway takes it off the lock too.
        """
        _check_way(way, allowed=(CLOUD_ONLY, THROUGH_GATEWAY))
        if way == THROUGH_GATEWAY:
            async with self.remote(lock):
                pwd.status = PwdStatus.DELETING
                try:
                    await self.reach(lock)
                except BaseException:
                    pwd.status = PwdStatus.NORMAL
                    raise
            lock.codes.pop(pwd.keyboard_pwd_id, None)
        self._forget(lock, pwd)

    def random_passcode(
        self, lock: Lock, sender: str, *, kind: int, name: str, start: int | None, end: int | None
    ) -> Passcode:
        """`keyboardPwd/get`: the same (type, whole-hour window) gives the same code while it exists; -1026 once it
        was deleted. The lock knows it at once (it derives codes with the same secret).
        """
        if not lock.keypad:
            raise TTLockError(-4043)
        window = random_window(lock, kind, start, end)
        origin = (kind, *window)
        for pwd in self.lock_passcodes(lock.lock_id):
            if pwd.origin == origin:
                return pwd
        if origin in lock.deleted_random:
            raise TTLockError(-1026)
        taken = [held.code for held in lock.codes.values()] + [pwd.code for pwd in self.lock_passcodes(lock.lock_id)]
        code = derive_code(lock.secret, kind, *window, taken)
        pwd = self._new_passcode(lock, code, name, kind, window, custom=False, sender=sender)
        pwd.origin = origin
        self._hold(lock, pwd)
        return pwd

    # -- in the TTLock app, over Bluetooth --------------------------------------------------------------------

    def external_add_code(self, lock_id: int, name: str, code: str, **window: datetime | None) -> int:
        """The owner adds a custom code in the TTLock app: on the lock at once and uploaded to the cloud. `start`
        and `end` (aware datetimes) make it a period code. Returns its keyboardPwdId; ValueError on TTLock's rules.
        """
        lock, start, end = self.locks[lock_id], window.pop("start", None), window.pop("end", None)
        if window:
            raise TypeError(f"unknown window fields: {sorted(window)}")
        kind, now = (PwdType.PERMANENT if end is None else PwdType.PERIOD), self.now_ms()
        try:
            span = custom_window(kind, now if start is None else ms(start), None if end is None else ms(end), now)
            self._check_code(lock, code, on_lock=True)
            self._check_space(lock, on_lock=True)
        except TTLockError as exc:
            raise ValueError(str(exc)) from None
        pwd = self._new_passcode(lock, code, name, kind, span, custom=True, sender=self.owner(lock).username)
        self._hold(lock, pwd)
        return pwd.keyboard_pwd_id

    def external_delete_code(self, lock_id: int, keyboard_pwd_id: int) -> None:
        """The owner deletes a code in the TTLock app: gone from the lock and the cloud (KeyError if neither has it)."""
        lock, pwd = self.locks[lock_id], self.passcodes.get(keyboard_pwd_id)
        if (pwd is None or pwd.lock_id != lock_id) and keyboard_pwd_id not in lock.codes:
            raise KeyError(f"lock {lock_id} has no passcode {keyboard_pwd_id}")
        lock.codes.pop(keyboard_pwd_id, None)
        if pwd is not None and pwd.lock_id == lock_id:
            self._forget(lock, pwd)

    def external_edit_code(
        self,
        lock_id: int,
        keyboard_pwd_id: int,
        *,
        name: str | None = None,
        code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        """The owner edits a code in the TTLock app: lock and cloud change at once (ValueError on TTLock's rules)."""
        lock = self.locks[lock_id]
        pwd = self.passcodes.get(keyboard_pwd_id)
        if pwd is None or pwd.lock_id != lock_id:
            raise KeyError(f"lock {lock_id} has no passcode {keyboard_pwd_id} in the cloud")
        first, last = pwd.start if start is None else ms(start), pwd.end if end is None else ms(end)
        kind = PwdType.PERIOD if last else pwd.type
        try:
            if code is not None:
                self._check_code(lock, code, on_lock=True, exclude=keyboard_pwd_id)
            span = custom_window(kind, first, last or None, first) if pwd.is_custom else (first, last)
        except TTLockError as exc:
            raise ValueError(str(exc)) from None
        pwd.name = pwd.name if name is None else name
        pwd.code = pwd.code if code is None else code
        pwd.type, (pwd.start, pwd.end) = kind, span
        self._hold(lock, pwd)
