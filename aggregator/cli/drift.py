"""`aggregator drift [--workspace NAME]`: the locks out of sync, the longest drifting first, each difference with
what the gateway does about it (the same report as `GET /v1/drift`).
"""

from __future__ import annotations

import argparse

from aggregator.cli.admin import with_database
from aggregator.clock import utcnow
from aggregator.db import Database
from aggregator.reconcile.service import ManifestOf, workspace_drift
from aggregator.workspaces import repository as workspaces
from aggregator.workspaces.service import workspace_named
from providers.registry import default_registry
from schemas import DeviceDrift, Workspace

PAGE = 500


def drift_command(args: argparse.Namespace) -> int:
    report = with_database(lambda db: _report(db, args.workspace))
    print(report)
    return 0


async def _report(db: Database, name: str | None) -> str:
    chosen: list[Workspace] = [await workspace_named(db, name)] if name else await workspaces.list_workspaces(db)
    registry = default_registry()
    lines: list[str] = []
    for workspace in chosen:
        drifting = await _all_drift(db, workspace, lambda slug: registry.get(slug).manifest)
        lines.append(f"workspace {workspace.name}: {len(drifting)} lock(s) out of sync")
        lines += [line for drift in drifting for line in _lines(drift)]
    return "\n".join(lines)


async def _all_drift(db: Database, workspace: Workspace, manifest_of: ManifestOf) -> list[DeviceDrift]:
    found: list[DeviceDrift] = []
    cursor: str | None = None
    while True:
        page = await workspace_drift(db, workspace.id, manifest_of, utcnow(), limit=PAGE, cursor=cursor)
        found += [drift for drift in page.data if not drift.in_sync]
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def _lines(drift: DeviceDrift) -> list[str]:
    since = drift.drift_since.isoformat() if drift.drift_since else "just now"
    head = f"  {drift.device_name} ({drift.device_id}), out of sync since {since}"
    return [head, *(f"    - {item.reason.value}: {item.message}" for item in drift.items)]
