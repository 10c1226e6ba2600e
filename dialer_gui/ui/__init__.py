"""The desktop interface: widgets, Qt models and the single-instance server.

Everything Qt lives here (and in ``dialer_gui.app``, which wires it). Widgets stay thin: they
call the core (``core.dialer.Dialer``) and listen to its events; long work is handed to
coroutines through :func:`dialer_gui.ui.tasks.spawn`, and every message meant for the user goes
through :mod:`dialer_gui.ui.messages`.
"""
