"""Collects the whole schema: the shared tables plus every feature's `tables.py`."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

from sqlalchemy import MetaData

import commands
from bot.store.tables import Base


def all_tables() -> MetaData:
    """Import every `commands/<feature>/tables.py` so that Base.metadata holds all tables."""
    for info in pkgutil.iter_modules(commands.__path__):
        name = f"commands.{info.name}.tables"
        if info.ispkg and importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    return Base.metadata
