"""`aggregator`: parse the command line and run one command; failures print one clear line and exit non-zero."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from aggregator.cli import admin, drift, serve
from aggregator.db import DatabaseUnavailable, DatabaseUrlError
from aggregator.http.errors import ApiError
from aggregator.runtime import DependencyUnavailable
from aggregator.settings import SettingsError
from aggregator.workspaces.service import WorkspaceError

EXPECTED_FAILURES = (SettingsError, DatabaseUrlError, DatabaseUnavailable, DependencyUnavailable, WorkspaceError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aggregator", description="The universal smart-lock API gateway.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("serve", help="run the gateway (uvicorn)")
    run.add_argument("--host", help="address to bind [AGGREGATOR_HOST, 127.0.0.1]")
    run.add_argument("--port", type=int, help="port to bind [AGGREGATOR_PORT, 8000]")
    run.add_argument("--sandbox", action="store_true", help="seed the sandbox workspace and print its API key")
    run.set_defaults(handler=serve.serve)
    commands.add_parser("worker", help="run an arq worker (needs AGGREGATOR_REDIS_URL)").set_defaults(
        handler=serve.worker
    )
    commands.add_parser("migrate", help="apply database migrations").set_defaults(handler=admin.migrate_command)
    _add_workspace_commands(commands.add_parser("workspaces", help="manage workspaces"))
    _add_key_commands(commands.add_parser("keys", help="manage API keys"))
    report = commands.add_parser("drift", help="locks whose codes differ from the wanted ones, oldest first")
    report.add_argument("--workspace", help="only this workspace (default: every workspace)")
    report.set_defaults(handler=drift.drift_command)
    return parser


def _add_workspace_commands(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a workspace")
    create.add_argument("name")
    create.add_argument("--sandbox", action="store_true", help="mark it as a sandbox (keys say `test`)")
    create.set_defaults(handler=admin.create_workspace_command)
    actions.add_parser("list", help="list workspaces").set_defaults(handler=admin.list_workspaces_command)


def _add_key_commands(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create an API key; its secret is the last line of output")
    create.add_argument("--workspace", required=True, help="workspace name")
    create.add_argument("--scopes", required=True, type=admin.parse_scopes, help="comma-separated, e.g. admin")
    create.add_argument("--name", default="cli", help="a label for the key")
    create.set_defaults(handler=admin.create_key_command)
    listing = actions.add_parser("list", help="list a workspace's API keys")
    listing.add_argument("--workspace", required=True)
    listing.set_defaults(handler=admin.list_keys_command)
    revoke = actions.add_parser("revoke", help="revoke an API key at once")
    revoke.add_argument("--workspace", required=True)
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=admin.revoke_key_command)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except EXPECTED_FAILURES as exc:
        print(f"aggregator: error: {exc}", file=sys.stderr)
        return 1
    except ApiError as exc:
        print(f"aggregator: error: {exc.error.code}: {exc.detail}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
