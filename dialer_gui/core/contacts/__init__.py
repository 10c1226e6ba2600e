"""The local phone book: contacts in SQLite, read from vCard and CSV files, searched as you type.

Rooms, each its own module:

* ``store``: the SQLite database beside the history (versioned, WAL, one error boundary), its
  local contacts and the read-only copies of company directories;
* ``vcard`` and ``csv_import``: what address books export, read into contacts; vCard export;
* ``importing``: a file of either kind, told apart by its content, into the store;
* ``normalise``: labels, names and numbers as the store keeps them (E.164 or extension digits);
* ``decoding``: the bytes of a file as text (BOMs, UTF-16, UTF-8, Windows code page);
* ``folding``: the keys names are matched by (case, accents, keypad digits);
* ``search``: the in-memory index the dial pad searches on every keystroke;
* ``names``: which contact and number ``dialer-gui call "Jane Doe"`` means.

Nothing here imports Qt.
"""
