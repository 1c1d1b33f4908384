"""Which format export() writes: the one asked for, else the one the file's name says. `export("train.csv")` wrote
Parquet (the default format) into train.csv, which pandas.read_csv then read as garbage."""

import os

EXPORT_FORMATS = ("parquet", "csv", "ndjson")
# What a file's extension says it holds; .jsonl and .pq are how notebooks often name NDJSON and Parquet.
_BY_EXTENSION = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson"}


def export_format(path, format):
    """The format to ask /export for: `format` (any case) when given, else the path's extension's, else Parquet when
    the path has no extension. A format the file's name contradicts, or a name that tells none, is a ValueError."""
    text = os.fspath(path)
    extension = os.path.splitext(text)[1].lower()
    named = _BY_EXTENSION.get(extension)
    if format is None:
        if named or not extension:
            return named or "parquet"
        raise ValueError(f"cannot tell the format from the file name {text!r}: name it .parquet, .csv or .ndjson, or pass format='parquet', 'csv' or 'ndjson'")
    name = str(format).lower()
    if name not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(EXPORT_FORMATS)} (any case); received {format!r}")
    if named and named != name:
        raise ValueError(f"format={format!r} does not match the file name {text!r}, which says {named}: name the file .{name}, or drop format to write {named}")
    return name
