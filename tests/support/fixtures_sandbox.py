"""Fixtures that start the loopback PBX simulator and a real redis-server."""
