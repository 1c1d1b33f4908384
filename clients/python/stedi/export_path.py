"""Where export() writes, checked before anything is downloaded: a folder missing, or a path naming a folder, is
said with the path the caller gave (open() named the temporary `<path>.part`, which the caller never wrote)."""

import errno
import os


def export_path(given):
    """The file to write for the path the caller gave ("~" is the home folder, as pandas reads it)."""
    text = os.fspath(given)
    path = os.path.expanduser(text)
    folder = os.path.dirname(path) or "."
    if not os.path.exists(folder):
        raise FileNotFoundError(errno.ENOENT, f"the folder {folder!r} to export into does not exist; make it first (os.makedirs) or name a file in a folder that exists", text)
    if not os.path.isdir(folder):
        raise NotADirectoryError(errno.ENOTDIR, f"{folder!r} is a file, not a folder to export into; name a file in a folder", text)
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"the path to export to is a folder; name the file to write in it, such as {os.path.join(text, 'train.parquet')!r}", text)
    return path
