"""The simulated TTLock v3 passcode endpoints: list, add (custom), change, delete, deleteByCode and get (random).
The defaults are TTLock's: `addType`, `changeType` and `deleteType` 1 touch the cloud only, never the lock.
"""

from __future__ import annotations

from typing import Any

from providers.ttlock.simulator_api import BY_NAME, BY_NAME_DESC, NEWEST_FIRST, PAGE_MAX
from providers.ttlock.simulator_codes import custom_window
from providers.ttlock.simulator_params import Call, Handler
from providers.ttlock.simulator_passcodes import CLOUD_ONLY
from providers.ttlock.simulator_payloads import page, passcode_item
from providers.ttlock.simulator_state import OK, Passcode, PwdType, TTLockError


def _ordered(passcodes: list[Passcode], order_by: int) -> list[Passcode]:
    if order_by == BY_NAME:
        return sorted(passcodes, key=lambda pwd: (pwd.name.lower(), pwd.keyboard_pwd_id))
    if order_by == NEWEST_FIRST:
        return sorted(passcodes, key=lambda pwd: (pwd.send, pwd.keyboard_pwd_id), reverse=True)
    if order_by == BY_NAME_DESC:
        return sorted(passcodes, key=lambda pwd: (pwd.name.lower(), pwd.keyboard_pwd_id), reverse=True)
    raise TTLockError(-3, "Invalid Parameter: orderBy is 0, 1 or 2")


async def list_passcodes(call: Call) -> dict[str, Any]:
    """Every passcode of the lock the cloud knows (custom and random; not what only the lock holds), newest first
    unless `orderBy` says otherwise; `searchStr` matches names (fuzzy) or the exact passcode.
    """
    lock = call.lock()
    page_no, page_size = call.paging(PAGE_MAX)
    found = call.sim.lock_passcodes(lock.lock_id)
    search = (call.text("searchStr") or "").strip()
    if search:
        found = [pwd for pwd in found if search.lower() in pwd.name.lower() or pwd.code == search]
    items = [passcode_item(pwd) for pwd in _ordered(found, call.number("orderBy", NEWEST_FIRST))]
    return page(items, page_no, page_size)


async def add_passcode(call: Call) -> dict[str, Any]:
    """A custom code: `{"keyboardPwdId"}`. With `addType` 1 (the default) it is stored in the cloud only."""
    lock = call.lock()
    pwd_id = await call.sim.add_custom(
        lock,
        call.account.username,
        code=(call.text("keyboardPwd") or "").strip(),
        name=call.text("keyboardPwdName") or "",
        kind=call.number("keyboardPwdType", PwdType.PERIOD),
        start=call.optional("startDate"),
        end=call.optional("endDate"),
        way=call.number("addType", CLOUD_ONLY),
    )
    return {"keyboardPwdId": pwd_id}


async def change_passcode(call: Call) -> dict[str, Any]:
    """A new name, PIN or window. The window changes only when both dates come (with `endDate` alone the call
    succeeds and changes nothing).
    """
    lock = call.lock()
    pwd = call.sim.passcode_of(lock, call.number("keyboardPwdId"))
    start, end = call.optional("startDate"), call.optional("endDate")
    window = None if start is None or end is None else custom_window(PwdType.PERIOD, start, end, call.sim.now_ms())
    await call.sim.change_passcode(
        lock,
        pwd,
        name=call.text("keyboardPwdName") or None,
        code=(call.text("newKeyboardPwd") or "").strip() or None,
        window=window,
        way=call.number("changeType", CLOUD_ONLY),
    )
    return OK


async def delete_passcode(call: Call) -> dict[str, Any]:
    lock = call.lock()
    pwd = call.sim.passcode_of(lock, call.number("keyboardPwdId"))
    await call.sim.delete_passcode(lock, pwd, call.number("deleteType", CLOUD_ONLY))
    return OK


async def delete_by_code(call: Call) -> dict[str, Any]:
    """`keyboardPwd/deleteByCode` (Chinese docs only): the same, by the PIN."""
    lock, code = call.lock(), (call.text("keyboardPwd") or "").strip()
    pwd = next((pwd for pwd in call.sim.lock_passcodes(lock.lock_id) if pwd.code == code), None)
    if pwd is None:
        raise TTLockError(-2009)
    await call.sim.delete_passcode(lock, pwd, call.number("deleteType", CLOUD_ONLY))
    return OK


async def random_passcode(call: Call) -> dict[str, Any]:
    """A random code computed by the cloud (no gateway): `{"keyboardPwd", "keyboardPwdId"}`."""
    lock = call.lock()
    pwd = call.sim.random_passcode(
        lock,
        call.account.username,
        kind=call.number("keyboardPwdType"),
        name=call.text("keyboardPwdName") or "",
        start=call.optional("startDate"),
        end=call.optional("endDate"),
    )
    return {"keyboardPwd": pwd.code, "keyboardPwdId": pwd.keyboard_pwd_id}


CODE_ROUTES: dict[str, Handler] = {
    "lock/listKeyboardPwd": list_passcodes,
    "keyboardPwd/add": add_passcode,
    "keyboardPwd/change": change_passcode,
    "keyboardPwd/delete": delete_passcode,
    "keyboardPwd/deleteByCode": delete_by_code,
    "keyboardPwd/get": random_passcode,
}
"""v3 path (after `/v3/`) -> endpoint."""
