"""Listening to clips inside a notebook (chapter 5.2)."""

from __future__ import annotations

import html

import librosa
from IPython.display import HTML, Audio
from numpy.typing import ArrayLike

from course_utils.validation import audio_as_float, check_sample_rate

#: Sample rate of the embedded players: 11 025 Hz keeps everything below 5.5 kHz and the notebook small.
PLAYER_RATE = 11025


def listen(clips: dict[str, ArrayLike], sr: int):
    """Labelled audio players for several clips, as one notebook output (each resampled to :data:`PLAYER_RATE`).

    Parameters
    ----------
    clips : dict of str to array_like
        Label → mono clip, float in [-1, 1] or integer PCM.
    sr : int
        Sample rate of the clips.

    Returns
    -------
    IPython.display.HTML
    """
    if not isinstance(clips, dict):
        raise TypeError(f"expected clips as a dict of label -> samples, got {type(clips).__name__}")
    sr = check_sample_rate(sr)
    rows = []
    for label, clip in clips.items():
        try:
            y = audio_as_float(clip)
            if y.ndim != 1:
                raise ValueError(f"expected mono audio of shape (n,), got shape {y.shape}")
        except ValueError as err:
            raise ValueError(f"clip {label!r}: {err}") from None
        if sr != PLAYER_RATE:
            y = librosa.resample(y, orig_sr=sr, target_sr=PLAYER_RATE)
        # IPython scales each clip to full volume: a silent clip would divide 0 by 0 (warnings on stderr)
        player = Audio(y, rate=PLAYER_RATE, normalize=bool(y.any()))._repr_html_()
        rows.append(
            f"<tr><td style='text-align:left;padding-right:1em'><b>{html.escape(str(label))}</b> "
            f"({y.size / PLAYER_RATE:.1f} s)</td><td>{player}</td></tr>"
        )
    return HTML("<table>" + "".join(rows) + "</table>")
