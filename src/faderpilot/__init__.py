"""faderpilot: an assistant engineer for music mixing. Stems in, an editable, explained session out."""

from .version import __version__


def mix(stems_dir, out_dir, **options):
    """Mix a folder of stems into out_dir and return the Session (see ``pipeline.mix``)."""
    from .pipeline import mix as _mix

    return _mix(stems_dir, out_dir, **options).session


def note(out_dir, text, **options):
    """Apply a mix note in plain language to the session in out_dir (see ``prompt.note``)."""
    from .prompt import note as _note

    return _note(out_dir, text, **options)


def undo(out_dir, **options):
    """Revert the last note applied to the session in out_dir (see ``prompt.undo``)."""
    from .prompt import undo as _undo

    return _undo(out_dir, **options)


__all__ = ["__version__", "mix", "note", "undo"]
