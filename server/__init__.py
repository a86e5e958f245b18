"""Runtime: the ASGI app, settings, authentication, database engines and the CLI."""
