"""The training set as a pandas DataFrame with the same dtypes whatever the rows (even none)."""

import warnings

try:
    import pandas as _pd
except ImportError:  # pandas is optional
    _pd = None

DTYPES = {
    "serialNumber": "object",
    "sensorReadingTime": "int64",
    "distanceFromObject": "int64",
    "x": "float64",
    "y": "float64",
    "z": "float64",
}


# The epoch milliseconds a datetime64[ns] holds, either side of 1970 (2^63 ns, whole milliseconds).
NS_LIMIT_MS = 9_223_372_036_854


def has_pandas():
    return _pd is not None


def check_frame(as_frame):
    """Refuses as_frame=True without pandas before a pull, not after every page was read (minutes on a large lake)."""
    if as_frame and _pd is None:
        raise ImportError("as_frame=True needs pandas, which is not installed: pip install pandas (or pip install \"./clients/python[pandas]\"), or pass as_frame=False for a list of dicts")


def training_frame(columns, version, as_frame=None):
    """The columns as a DataFrame when pandas is there (as_frame None) or asked for (True); as Rows otherwise."""
    if as_frame is False or (as_frame is None and _pd is None):
        from .client import Rows

        names = list(DTYPES)
        rows = Rows(dict(zip(names, values)) for values in zip(*(columns[n] for n in names)))
        rows.lake_version = version
        return rows
    check_frame(as_frame)
    frame = _pd.DataFrame({name: _pd.Series(columns[name], dtype=dtype) for name, dtype in DTYPES.items()})
    times = frame["sensorReadingTime"]
    # datetime64[ns] holds the years 1677-2262 only; landing accepts any time (a clock reset to year 1, one
    # writing microseconds): those rows get NaT, not an OutOfBoundsDatetime that loses the whole pull.
    fits = times.between(-NS_LIMIT_MS, NS_LIMIT_MS)
    if not fits.all():
        warnings.warn(
            f"{int((~fits).sum()):,} rows have a sensorReadingTime outside the years 1677-2262 that pandas' datetime64[ns] "
            "holds: their sensorReadingDatetime is NaT (sensorReadingTime keeps the epoch milliseconds)",
            stacklevel=3,
        )
    # Whole nanoseconds, as int64: from the float64 that masking with NaN made, pandas 1.5 read 1655564377674 ms as
    # …673.999 and floored a millisecond off. Given ns, every pandas (3 keeps the unit it is given) makes datetime64[ns].
    nanoseconds = times.where(fits, 0).astype("int64") * 1_000_000
    frame["sensorReadingDatetime"] = _pd.to_datetime(nanoseconds, unit="ns", utc=True).astype("datetime64[ns, UTC]").where(fits)
    frame.attrs["lake_version"] = version
    return frame
