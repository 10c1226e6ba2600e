"""Qt-free core: numbers, links, calls, history, config, secrets and policy."""
