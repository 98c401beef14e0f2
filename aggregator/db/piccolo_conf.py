"""piccolo's configuration module (PICCOLO_CONF=aggregator.db.piccolo_conf) for its CLI and migration runner.

Building the engine does not connect, so importing this module has no side effects beyond reading settings.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry

from aggregator.db.database import engine_for_url
from aggregator.settings import Settings

DB = engine_for_url(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(apps=["aggregator.db.piccolo_app"])
