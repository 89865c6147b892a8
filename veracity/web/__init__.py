"""The web desk: pages, a JSON API and feeds over the store (``veracity serve``); see docs/web.md.

Importing this package imports nothing heavy: the app is built by ``veracity.web.app.create_app``.
"""
