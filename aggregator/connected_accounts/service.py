"""Reading connected accounts."""

from __future__ import annotations

import uuid

from aggregator.connected_accounts import repository
from aggregator.db import Database
from aggregator.http import errors
from aggregator.http.errors import found
from aggregator.http.pagination import PageRequest, build_page
from schemas import ConnectedAccount, Page


async def get_account(db: Database, workspace_id: uuid.UUID, account_id: uuid.UUID | None) -> ConnectedAccount:
    return found(
        await repository.get_account(db, workspace_id, account_id) if account_id else None,
        errors.CONNECTED_ACCOUNT_NOT_FOUND,
    )


async def list_accounts(
    db: Database, workspace_id: uuid.UUID, page: PageRequest, *, provider: str | None
) -> Page[ConnectedAccount]:
    return build_page(await repository.list_accounts(db, workspace_id, page, provider=provider), page)
