"""What the Nuki mapping tests share: Nuki's recorded payloads (fixtures/), read as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())
