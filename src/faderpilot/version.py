"""The program's version, in a module of its own so that any layer can name it without importing
the package's public API (``faderpilot/__init__.py``, which imports the pipeline)."""

__version__ = "0.1.0"
