"""The benchmark scripts of bench/ loaded as modules, for the tests that run or read them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


def load(name: str) -> Any:
    """bench/<name>.py as module `govhall_<name>` (loaded once per process)."""
    module_name = f"govhall_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, BENCH_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
