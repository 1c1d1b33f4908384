"""Values as a notebook holds them: numpy's int64 and float64 (a DataFrame's cells, np.arange) where Python's int and
float are meant. page_size=np.int64(5000) was refused as "not a whole number", and a variable holding one raised
json's "Object of type int64 is not JSON serializable" from deep inside the client."""

import json
import numbers


def whole_number(value):
    """`value` as an int when it is a whole number of any kind (int, numpy's integers); None otherwise (bool too)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and type(value).__name__ != "bool_":
        return int(value)
    return None


def page_size_of(page_size):
    """The page size to send, checked: a whole number of at least 1."""
    size = whole_number(page_size)
    if size is None or size < 1:
        raise ValueError(f"page_size must be a whole number of at least 1; received {page_size!r}")
    return size


def json_text(payload):
    """The request body: NaN and infinity (a DataFrame's missing value) refused, naming them, before anything is sent.
    json.dumps wrote them as NaN and Infinity, which are not JSON: the server answered that the body was cut off."""
    try:
        return json.dumps(payload, default=json_value, allow_nan=False)
    except ValueError as error:
        if "JSON compliant" not in str(error):
            raise
        raise ValueError("a GraphQL variable holds NaN or infinity (a missing value?), which JSON cannot carry: pass a number, or None") from None


def json_value(value):
    """json.dumps' `default`: numpy's scalars as the Python numbers and booleans they hold; anything else refused,
    naming the type, as the variables of the request the caller wrote."""
    if whole_number(value) is not None:
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if type(value).__name__ == "bool_":
        return bool(value)
    raise TypeError(f"a GraphQL variable holds a {type(value).__name__}, which JSON cannot carry: pass str, int, float, bool, None, or lists and dicts of them")
