"""The shared vocabulary: what every other package talks in, importing none of them.

Targets (``target``), call attempts, sources and states (``calls``), setting fields (``fields``)
and provider profiles (``profiles``). Modules here import only the standard library and
``dialer_gui.errors``, so any room of the app may use them without tying itself to another.
"""
