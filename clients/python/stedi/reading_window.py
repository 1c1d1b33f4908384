"""One device and a time window of a pull (training_set, training_batches, readings), said as the server's
`filter: { serialNumber, from, to }`. Before, a notebook wanting one customer's rows or one day's had to write the
GraphQL itself: the client's pulls took no filter."""

import datetime

from .notebook_values import whole_number

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
# As the server: a whole number above 0 and below 10^11 (1973-03-03 in milliseconds) is a date in seconds.
MIN_EPOCH_MS = 10**11


def window_arguments(serial=None, start=None, end=None):
    """The filter argument, its variable declarations and variables; empty strings and {} when none is given."""
    variables = {}
    if serial is not None:
        if not isinstance(serial, str):
            raise ValueError(f"serial must be a serialNumber (a string); received {serial!r}")
        variables["serial"] = serial
    if start is not None:
        variables["from"] = epoch_ms(start, "start")
    if end is not None:
        variables["to"] = epoch_ms(end, "end")
    if "from" in variables and "to" in variables and variables["from"] > variables["to"]:
        raise ValueError(f"start ({start!r}) is after end ({end!r}): no row could match")
    if not variables:
        return "", "", {}
    names = {"serial": ("serialNumber", "String"), "from": ("from", "SafeInt"), "to": ("to", "SafeInt")}
    fields = ", ".join(f"{names[v][0]}: ${v}" for v in variables)
    declarations = "".join(f", ${v}: {names[v][1]}" for v in variables)
    return f", filter: {{ {fields} }}", declarations, variables


def epoch_ms(value, name):
    """A time as the server's epoch milliseconds: a whole number (already epoch ms), a datetime, pandas Timestamp or
    numpy datetime64 (one without a time zone is UTC, as every time the server answers is), a date (its midnight UTC),
    or ISO 8601 text."""
    if type(value).__name__ == "datetime64":
        # numpy's time (a frame's .values, .to_numpy()): a time without a zone, so UTC; NaT is a missing value.
        if value != value:
            raise ValueError(f"{name} is {value!r}, not a time (a missing value): pass a time, or leave {name} out")
        return int(value.astype("datetime64[ms]").astype("int64"))
    ms = whole_number(value)
    if ms is not None:
        if 0 < ms < MIN_EPOCH_MS:
            # Sent as milliseconds, a date in seconds would match every row (start) or none (end), silently.
            raise ValueError(f"{name} must be epoch milliseconds; received {ms}, which reads as seconds: pass {ms * 1000} (or a datetime)")
        return ms
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"{name} must be epoch milliseconds, a datetime or ISO 8601 text such as '2022-06-18T14:59:00Z'; received {value!r}") from None
    if isinstance(value, datetime.datetime):
        # pandas.NaT is a datetime too: its arithmetic gave NaN, sent as JSON the server refused as a broken body.
        if value != value:
            raise ValueError(f"{name} is {value!r}, not a time (a missing value): pass a time, or leave {name} out")
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        # Whole milliseconds, as the server holds them: a time's microseconds fall in the millisecond they start.
        return (value - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(value, datetime.date):
        return (datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.timezone.utc) - EPOCH) // datetime.timedelta(milliseconds=1)
    raise ValueError(f"{name} must be epoch milliseconds, a datetime or ISO 8601 text such as '2022-06-18T14:59:00Z'; received {value!r}")
