"""The file the OS runs for a link: ``python -I -S /path/to/dialer_gui/link_entry.py --link URI``.

Every click on a tel: link starts a process, and most of what it costs is the interpreter
starting and importing. ``-S`` skips ``site`` (site-packages and their ``.pth`` files: about
20 ms with a large install), ``-I`` the ``PYTHON*`` variables and the script's and working
folder's place on the module path. What is imported is then only the standard library and our
hand-off modules (``cli``, ``handoff``, ``ipc``, ``core.links``, ``vocabulary``, ``errors``).

Without ``site`` our package is not on the path either. ``dialer-gui register`` writes the
absolute paths of the interpreter and of this file into the OS's handler entry (see
``platform/launcher.py``); this file then appends the folder that holds the package (a
site-packages folder, or the checkout of an editable install) to the path, after the standard
library, so nothing installed beside us can stand in for a stdlib module.

The link goes through ``cli.handle_link``, the code ``dialer-gui --link`` runs: the same checks,
the same bytes on the socket, the same messages. When no instance runs, this process becomes
the full app (:func:`dialer_gui.handoff.restart_with_site`: the same command line on the
interpreter with its site-packages). So do any other arguments: the app menu starts the entry
with an empty ``%u``, a bare ``--link``, which opens the app.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    """Hand the link on, or run the full app with the same arguments."""
    from dialer_gui import handoff

    if len(argv) == 2 and argv[0] == "--link":
        from dialer_gui import cli

        return cli.handle_link(argv[1], start=lambda _options: handoff.restart_with_site(argv))
    handoff.restart_with_site(argv)


def _find_package() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    # Run without -I, the script's folder (the package itself) comes first on the path, where
    # our platform/ would stand in for the standard library's platform module.
    if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == here:
        del sys.path[0]
    sys.path.append(os.path.dirname(here))


if __name__ == "__main__":
    _find_package()
    sys.exit(main(sys.argv[1:]))
