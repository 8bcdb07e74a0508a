"""The DAW exports of one run share one copy of each track's audio: the second writer hard-links
the first one's file (same bytes, same inode) and DAWproject reads it back instead of decoding the
source again; a file changed since it was written is never reused."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import soundfile as sf

from faderpilot.export import ardour, dawproject, media, reaper

try:
    from .test_ardour_fixtures import build_session, noise
except ImportError:  # pragma: no cover - run from inside tests/export
    from test_ardour_fixtures import build_session, noise

SECONDS = 1.0


def _session(tmp_path):
    specs = [
        ("a", noise(SECONDS, 0.1, 1), dict(name="Kick In")),
        ("b", noise(SECONDS, 0.1, 2), dict(name="Vox")),
    ]
    return build_session(tmp_path, specs, SECONDS)


def test_exports_share_one_copy_of_the_audio(tmp_path):
    session = _session(tmp_path)
    out = tmp_path / "out"
    ardour.write(session, out)
    reaper.write(session, out)
    project = dawproject.write(session, out)
    for i, t in enumerate(session.tracks, 1):
        name = media.media_name(i, t)
        a = (
            out
            / "ardour"
            / ardour.song_name(session)
            / "interchange"
            / ardour.song_name(session)
            / "audiofiles"
        )
        r = next(out.glob(f"*/{name}"))
        assert (a / name).stat().st_ino == r.stat().st_ino  # one file, two names
        assert r.stat().st_nlink >= 2
        with zipfile.ZipFile(project) as zf:
            inside = [n for n in zf.namelist() if n.endswith(".wav") and t.name in n]
            assert inside and zf.read(inside[0]) == r.read_bytes()  # the same bytes in the container
        want = media.track_audio(session, t)
        got, _ = sf.read(io.BytesIO(r.read_bytes()), dtype="float32", always_2d=True)
        np.testing.assert_array_equal(got.T, want)


def test_a_file_changed_since_it_was_written_is_not_reused(tmp_path):
    session = _session(tmp_path)
    first = media.write_media(session, tmp_path / "one")
    t = session.tracks[0]
    assert media.written_media(session, t) == first[t.id]
    first[t.id].write_bytes(b"not audio any more")
    assert media.written_media(session, t) is None
    second = media.write_media(session, tmp_path / "two")
    assert second[t.id].stat().st_ino != first[t.id].stat().st_ino
    got, _ = sf.read(second[t.id], dtype="float32", always_2d=True)
    np.testing.assert_array_equal(got.T, media.track_audio(session, t))
