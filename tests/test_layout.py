"""The house rules that can be checked mechanically: layer boundaries, docstrings, sizes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("aggregator", "providers", "schemas")
MIGRATIONS = ROOT / "aggregator" / "db" / "migrations"


def modules(*packages: str) -> list[Path]:
    return sorted(
        path for package in packages for path in (ROOT / package).rglob("*.py") if MIGRATIONS not in path.parents
    )


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", modules("schemas"), ids=str)
def test_schemas_import_nothing_of_ours_but_schemas(path: Path):
    assert {top(name) for name in imported(path)} & {"aggregator", "providers"} == set()


@pytest.mark.parametrize("path", modules("providers"), ids=str)
def test_providers_never_import_the_gateway(path: Path):
    assert "aggregator" not in {top(name) for name in imported(path)}


@pytest.mark.parametrize("path", modules(*PACKAGES, "bench", "contract_tests"), ids=str)
def test_every_module_says_what_it_is_for(path: Path):
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring, f"{path.relative_to(ROOT)} has no module docstring"


@pytest.mark.parametrize("path", modules(*PACKAGES, "contract_tests"), ids=str)
def test_modules_stay_small(path: Path):
    lines = len(path.read_text().splitlines())
    assert lines <= 300, f"{path.relative_to(ROOT)} has {lines} lines; split it by responsibility"


@pytest.mark.parametrize("path", modules(*PACKAGES, "contract_tests"), ids=str)
def test_functions_stay_short(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= 40, f"{path.relative_to(ROOT)}:{node.lineno} {node.name} has {length} lines"


def _vendor_side(path: Path) -> bool:
    """Simulated clouds and their test drivers play the vendor and the person at the browser, not the gateway."""
    return path.name in {"testing.py", "sandbox.py"} or path.name.startswith("simulator")


def test_the_shared_http_client_is_made_in_one_place():
    makers = [
        path.relative_to(ROOT).as_posix()
        for path in modules(*PACKAGES)
        if "httpx.AsyncClient(" in path.read_text() and not _vendor_side(path)
    ]
    assert makers == ["aggregator/runtime.py"]


PROVIDER_CONTRACT = {
    "providers",
    "providers.base",
    "providers.errors",
    "providers.manifest",
    "providers.registry",
    "providers.simkit",  # what every simulated cloud shares (the sandbox's transport), no vendor's
}


@pytest.mark.parametrize("path", modules("aggregator"), ids=str)
def test_the_gateway_reaches_providers_only_through_the_contract(path: Path):
    """A provider package is found through the registry; the gateway never names one."""
    reached = {name for name in imported(path) if top(name) == "providers"}
    assert reached <= PROVIDER_CONTRACT, f"{path.relative_to(ROOT)} imports {sorted(reached - PROVIDER_CONTRACT)}"
