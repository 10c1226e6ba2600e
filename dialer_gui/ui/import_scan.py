"""Stop PySide6 from reading the source of every module the app imports after it.

On import, PySide6 wraps ``builtins.__import__`` in ``__feature_import__``. For each module
imported from then on, the wrapper reads the module's whole source with ``inspect.getsource``
to see whether it mentions "PySide6" (PYSIDE-2029, the bookkeeping behind
``from __feature__ import snake_case``). The lines stay in :mod:`linecache` for the life of
the process: about 3.8 MB of source for the app, httpx and the keyring, which is some 12 MiB
of small strings scattered through the heap, and reading them slows start-up. dialer-gui
never selects a feature, so the app puts back the import function that PySide6 wrapped.

The wrapped function is kept as ``builtins.__orig_import__`` (PySide6's own lazy-loading
import since 6.7), so this leaves PySide6's loading untouched. If a later PySide6 does this
differently, nothing is changed.

Importing this module does it (``dialer_gui.app`` imports it before anything else);
:data:`SKIPPED` says whether it worked.
"""

from __future__ import annotations

import builtins


def skip_feature_scan() -> bool:
    """Undo PySide6's import wrapper; returns True when it was found and taken out."""
    import PySide6.QtCore  # noqa: F401  (installs the wrapper this undoes)

    wrapper = builtins.__import__
    wrapped = getattr(builtins, "__orig_import__", None)
    if wrapped is None or getattr(wrapper, "__name__", "") != "__feature_import__":
        return False
    builtins.__import__ = wrapped
    return True


SKIPPED = skip_feature_scan()
