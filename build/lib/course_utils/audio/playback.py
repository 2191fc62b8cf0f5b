"""Listening to clips inside a notebook (chapter 5.2)."""

from __future__ import annotations

import html

import librosa
from IPython.display import HTML, Audio
from numpy.typing import ArrayLike

from course_utils.validation import audio_as_float, check_sample_rate


def listen(clips: dict[str, ArrayLike], sr: int, rate: int = 11025):
    """Labelled audio players for several clips, as one notebook output.

    Each clip is resampled to ``rate`` (11 025 Hz keeps everything below 5.5 kHz)
    so that the players, which embed the sound as base64 WAV in the
    notebook, stay small.

    Parameters
    ----------
    clips : dict of str to array_like
        Label → mono clip.
    sr : int
        Sample rate of the clips.
    rate : int
        Sample rate of the embedded players.

    Returns
    -------
    IPython.display.HTML

    Raises
    ------
    TypeError
        If ``clips`` is not a dict.
    ValueError
        For a bad sample rate, or a clip that is not mono finite audio in
        [-1, 1] or integer PCM (the message names the clip's label).
    """
    if not isinstance(clips, dict):
        raise TypeError(f"expected clips as a dict of label -> samples, got {type(clips).__name__}")
    sr, rate = check_sample_rate(sr), check_sample_rate(rate, "rate")
    rows = []
    for label, clip in clips.items():
        try:
            y = audio_as_float(clip)
            if y.ndim != 1:
                raise ValueError(f"expected mono audio of shape (n,), got shape {y.shape}")
        except ValueError as err:
            raise ValueError(f"clip {label!r}: {err}") from None
        if rate != sr:
            y = librosa.resample(y, orig_sr=sr, target_sr=rate)
        # IPython scales each clip to full volume: a silent clip would divide 0 by 0 (warnings on stderr)
        player = Audio(y, rate=rate, normalize=bool(y.any()))._repr_html_()
        rows.append(
            f"<tr><td style='text-align:left;padding-right:1em'><b>{html.escape(str(label))}</b> "
            f"({y.size / rate:.1f} s)</td><td>{player}</td></tr>"
        )
    return HTML("<table>" + "".join(rows) + "</table>")
