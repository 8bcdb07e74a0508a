"""faderpilot: an assistant engineer for music mixing. Stems in, an editable, explained session out."""

__version__ = "0.1.0"


def mix(stems_dir, out_dir, **options):
    """Mix a folder of stems into out_dir and return the Session (see ``pipeline.mix``)."""
    from .pipeline import mix as _mix

    return _mix(stems_dir, out_dir, **options).session


__all__ = ["__version__", "mix"]
