"""Fixtures for the Qt-free core (config, history, secrets)."""
