"""Load the real wfastcgi on Linux, and run its FastCGI loop when executed as a script.

wfastcgi touches ``ctypes.windll`` at import time (its file watcher). A MagicMock
stands in for it; the stub's ReadDirectoryChangesW fails at once so the watcher
thread ends quietly instead of spinning. Everything else is wfastcgi's own code.

    python tests/iis/wfastcgi_boot.py   # stdin must be a connected socket (FastCGI)
"""

from __future__ import annotations

import ctypes
import importlib
from types import ModuleType
from unittest.mock import MagicMock

ERROR_ACCESS_DENIED = 5  # any error but ERROR_NOTIFY_ENUM_DIR ends the watcher


def windll_stub() -> MagicMock:
    """A stand-in for ``ctypes.windll`` whose directory watch fails immediately."""
    stub = MagicMock(name="windll")
    stub.kernel32.ReadDirectoryChangesW.return_value = 0
    stub.kernel32.GetLastError.return_value = ERROR_ACCESS_DENIED
    return stub


def import_wfastcgi() -> ModuleType:
    """Import wfastcgi with the windll stub, leaving ``ctypes`` as it was."""
    had_windll = hasattr(ctypes, "windll")
    saved = getattr(ctypes, "windll", None)
    ctypes.windll = windll_stub()
    try:
        return importlib.import_module("wfastcgi")
    finally:
        if had_windll:
            ctypes.windll = saved
        else:
            del ctypes.windll


if __name__ == "__main__":
    import_wfastcgi().main()
