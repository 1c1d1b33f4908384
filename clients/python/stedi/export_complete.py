"""Whether a downloaded export holds all it should, when no Content-Length says how long it is: a proxy in front
may drop that header and send the file until it closes the connection, and a file cut short (the server restarting,
or cutting the answer because a customer in it withdrew consent) then ends like a whole one."""

PARQUET_END = b"PAR1"


def export_complete(path, format, rows):
    """True when the file at `path` ends as a whole `format` file does and, for text, holds `rows` rows (X-Row-Count)."""
    if format == "parquet":
        # A Parquet file ends with its footer and this magic; one cut short does not.
        with open(path, "rb") as file:
            file.seek(0, 2)
            if file.tell() < len(PARQUET_END):
                return False
            file.seek(-len(PARQUET_END), 2)
            return file.read() == PARQUET_END
    lines, last = 0, b"\n"
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    header = 1 if format == "csv" else 0
    # Every row ends with a line break: a cut inside the last one leaves none.
    return last == b"\n" and (rows is None or lines == int(rows) + header)
