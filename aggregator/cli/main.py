"""`aggregator`: parse the command line and run one command; failures print one clear line and exit non-zero."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from aggregator.cli import admin, serve
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

    worker = commands.add_parser("worker", help="run an arq worker (needs AGGREGATOR_REDIS_URL)")
    worker.set_defaults(handler=serve.worker)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(handler=admin.migrate_command)

    workspaces = commands.add_parser("workspaces", help="manage workspaces").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    create_ws = workspaces.add_parser("create", help="create a workspace")
    create_ws.add_argument("name")
    create_ws.add_argument("--sandbox", action="store_true", help="mark it as a sandbox (keys say `test`)")
    create_ws.set_defaults(handler=admin.create_workspace_command)
    workspaces.add_parser("list", help="list workspaces").set_defaults(handler=admin.list_workspaces_command)

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    create_key = keys.add_parser("create", help="create an API key; its secret is the last line of output")
    create_key.add_argument("--workspace", required=True, help="workspace name")
    create_key.add_argument("--scopes", required=True, type=admin.parse_scopes, help="comma-separated, e.g. admin")
    create_key.add_argument("--name", default="cli", help="a label for the key")
    create_key.set_defaults(handler=admin.create_key_command)
    list_keys = keys.add_parser("list", help="list a workspace's API keys")
    list_keys.add_argument("--workspace", required=True)
    list_keys.set_defaults(handler=admin.list_keys_command)
    revoke = keys.add_parser("revoke", help="revoke an API key at once")
    revoke.add_argument("--workspace", required=True)
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=admin.revoke_key_command)
    return parser


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
