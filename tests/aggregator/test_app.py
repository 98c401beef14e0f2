"""The composition root: building the app or importing any module connects to nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx

from aggregator.app import create_app
from aggregator.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_create_app_connects_to_nothing():
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:9/none", redis_url="redis://127.0.0.1:9"))
    assert app.openapi_schema.info.title == "Smart-lock gateway"


def test_importing_every_module_opens_no_socket():
    script = textwrap.dedent(
        """
        import importlib, pkgutil, socket, sys
        def refuse(*args, **kwargs):
            raise AssertionError("a module connected at import time")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        import aggregator, schemas, providers
        for package in (aggregator, schemas, providers):
            for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                importlib.import_module(module.name)
        print("imported")
        """
    )
    env = {"AGGREGATOR_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"


async def test_openapi_document_is_3_1_with_bearer_security(client: httpx.AsyncClient):
    document = (await client.get("/schema/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "API key",
    }
    operations = {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert {"CreateApiKey", "ListDevices", "GetDevice", "ListEvents", "GetHealth", "GetActionAttempt"} <= operations
    get_device = document["paths"]["/v1/devices/{device_id}"]["get"]
    assert get_device["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Device")
    assert "application/problem+json" in get_device["responses"]["404"]["content"]
    assert document["paths"]["/health"]["get"]["security"] == [{}]
    assert document["paths"]["/problems"]["get"]["security"] == [{}]
