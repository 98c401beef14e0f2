"""Reading devices; an id from another workspace is simply not found. Answers are stored API documents."""

from __future__ import annotations

import uuid

from aggregator.db import Database
from aggregator.devices import repository
from aggregator.http import errors
from aggregator.http.errors import found
from aggregator.http.pagination import PageRequest, encode_stored_page


async def device_document(db: Database, workspace_id: uuid.UUID, device_id: uuid.UUID | None) -> bytes:
    return found(
        await repository.get_document(db, workspace_id, device_id) if device_id else None, errors.DEVICE_NOT_FOUND
    )


async def device_page(
    db: Database,
    workspace_id: uuid.UUID,
    page: PageRequest,
    *,
    provider: str | None,
    connected_account_id: uuid.UUID | None,
) -> bytes:
    documents = await repository.list_documents(
        db, workspace_id, page, provider=provider, connected_account_id=connected_account_id
    )
    return encode_stored_page(documents, page, id_of=repository.document_id)
