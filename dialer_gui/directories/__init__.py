"""Company directories: read-only contact sources the phone book syncs from or searches live.

One module per protocol; like ``providers/``, nothing here imports ``core``.
"""
