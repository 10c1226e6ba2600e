"""Fixtures that start a real redis-server on loopback (owned by the Teleforge work)."""
