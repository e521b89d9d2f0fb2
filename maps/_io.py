"""File names of map output: stems inside an output folder, image formats by extension.

Writing itself is atomic and lives in :mod:`layers.output` (one implementation for
every file riskmap writes); its names are imported here for the map writers.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from geo.errors import InputError
from layers.output import (
    STALE_AFTER_S,
    OutputError,
    atomic_path,
    atomic_paths,
    atomic_write,
    check_folder,
    check_target,
    host_tag,
)

__all__ = [
    "IMAGE_FORMATS",
    "STALE_AFTER_S",
    "STEM_RULE",
    "OutputError",
    "atomic_path",
    "atomic_paths",
    "atomic_write",
    "check_folder",
    "check_stem",
    "check_target",
    "host_tag",
    "image_format",
    "suggest_stem",
]

#: Image formats a map is written in, by file extension.
IMAGE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

_STEM = re.compile(r"[\w-][\w.-]{0,99}")
#: What a file stem is, in words.
STEM_RULE = "1 to 100 letters, digits, '-', '_' and '.' (not first), with no folder"


def check_stem(stem: object, *, what: str = "file name stem") -> str:
    """Return ``stem`` if it is a file name without folder or extension, or raise.

    A stem is 1 to 100 letters, digits, ``-``, ``_`` and ``.``, not starting with
    ``.``: it names a file inside the output folder, never a path out of it
    (``../x``, ``/tmp/x``) nor a hidden file.

    Parameters
    ----------
    stem : str
        The stem to check.
    what : str, default "file name stem"
        How to call it in the message.

    Returns
    -------
    str

    Raises
    ------
    InputError
        If ``stem`` is not such a stem; the message suggests one.

    Examples
    --------
    >>> check_stem("summit_2019")
    'summit_2019'
    >>> check_stem("../escaped")
    Traceback (most recent call last):
    ...
    geo.errors.InputError: file name stem '../escaped' is not a file stem: 1 to 100 letters, \
digits, '-', '_' and '.' (not first), with no folder; e.g. 'escaped'
    """
    if isinstance(stem, str) and _STEM.fullmatch(stem):
        return stem
    raise InputError(
        f"{what} {stem!r:.120} is not a file stem: {STEM_RULE}; e.g. {suggest_stem(stem)!r}"
    )


def suggest_stem(value: object) -> str:
    """Return a file stem close to ``value``: its last part, other characters as ``_``.

    Examples
    --------
    >>> suggest_stem("../reports/summit 2019")
    'summit_2019'
    """
    text = os.path.basename(str(value).replace("\\", "/"))
    return re.sub(r"[^\w.-]+", "_", text).lstrip("._")[:100] or "scenario"


def image_format(path: str | os.PathLike[str]) -> str:
    """Return the image format a file name asks for (``"png"``, ``"svg"``, ``"pdf"``), or raise.

    Parameters
    ----------
    path : str or path-like
        Where an image is to be written; its extension (any case) picks the format.

    Returns
    -------
    str
        One of the values of :data:`IMAGE_FORMATS`.

    Raises
    ------
    InputError
        If the extension is none of ``.png``, ``.svg``, ``.pdf``: the message names it
        and the formats written.

    Examples
    --------
    >>> image_format("map.PNG"), image_format("report/map.svg"), image_format("map.pdf")
    ('png', 'svg', 'pdf')
    >>> image_format("map.jpg")
    Traceback (most recent call last):
    ...
    geo.errors.InputError: image path 'map.jpg' ends in '.jpg'; riskmap writes images as \
.png, .svg or .pdf: give a path with one of these, e.g. 'map.png'
    """
    target = Path(path)
    suffix = target.suffix
    if suffix.lower() in IMAGE_FORMATS:
        return IMAGE_FORMATS[suffix.lower()]
    ending = f"ends in {suffix!r}" if suffix else "has no extension"
    raise InputError(
        f"image path {str(target)!r} {ending}; riskmap writes images as .png, .svg or .pdf: "
        f"give a path with one of these, e.g. {target.with_suffix('.png').name!r}"
    )
