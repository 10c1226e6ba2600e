"""dialer-gui: click-to-call from tel: links, the clipboard and a dial pad.

The package is split so that the flow stays visible:

* ``core``: numbers, links, calls, history, config, secrets, policy (no Qt).
* ``providers``: one module per PBX click-to-call API (no Qt).
* ``sandbox``: a loopback simulator of those APIs for demo mode and tests (no Qt).
* ``ipc`` and ``platform``: single instance and OS integration.
* ``ui``: widgets and Qt models; ``app``: the composition root; ``cli``: argument handling.
"""

__version__ = "0.1.0"
APP_NAME = "dialer-gui"
