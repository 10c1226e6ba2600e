"""``python -m dialer_gui`` and the ``dialer-gui`` console script."""

from __future__ import annotations

import sys

from dialer_gui.cli import main

if __name__ == "__main__":
    sys.exit(main())
