"""The local web console: an HTTP API over one session folder plus the static page (docs/console.md).

``faderpilot console OUT_DIR`` runs :func:`faderpilot.console.server.run_cli`; tests and scripts use
``server.start(out_dir, port=0)`` and ``server.stop(server)``.
"""
