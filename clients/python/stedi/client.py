"""stedi.Client: the STEDI lakehouse API from Python, standard library only (pandas optional)."""

import urllib.parse
import urllib.request

# ServerError: imported from stedi.client before the transport was a module of its own; its names stay.
from .errors import BadInputError, ConnectionError, ForbiddenError, ServerError, StediError, page_size_error  # noqa: F401
from .export_download import download_export
from .export_format import EXPORT_FORMATS, export_format  # noqa: F401 (EXPORT_FORMATS: examples/pull_training_set.py imports it from here)
from .export_path import export_path
from .frames import check_frame, training_frame
from .graphql_answer import aliased_as
from .notebook_values import page_size_of
from .reading_window import window_arguments
from .split_arguments import SPLITS, split_name, split_arguments, split_seed  # noqa: F401 (SPLITS: examples/pull_training_set.py imports it from here)
from .training_batches import training_batches
from .transport import Transport

SAMPLE_FIELDS = ("serialNumber", "sensorReadingTime", "distanceFromObject", "x", "y", "z")
CUSTOMER_FIELDS = ("serialNumber", "registrationDate", "lastUpdateDate", "shareWithResearchAsOfDate", "shareWithFriendsAsOfDate", "shareWithPublicAsOfDate")
PERSONAL_FIELDS = ("customerName", "email", "phone", "birthDay")
READING_FIELDS = {
    "accelerometer": ("accelerometerReadings", ("serialNumber", "timestamp", "x", "y", "z")),
    "step_trainer": ("stepTrainerReadings", ("serialNumber", "sensorReadingTime", "distanceFromObject")),
}


class Rows(list):
    """A list of row dicts that also says which lake version it was read from (`.lake_version`, or `.attrs` as a DataFrame has it)."""

    lake_version = None

    @property
    def attrs(self):
        # The DataFrame's `.attrs["lake_version"]`, so code written with pandas installed (the README's) runs without it.
        return {"lake_version": self.lake_version}


class Client(Transport):
    """A client for one server. `url` is the server (http://host:4000) or its /graphql endpoint."""

    def __init__(self, url=None, key=None, timeout=120, retry_seconds=30):
        super().__init__(url, key, timeout, retry_seconds)
        self._batch = None  # whether the server has machineLearningBatch, asked once
        self._batch_version = False  # whether its pages name their lake version (lakeVersion), asked with it
        self._batch_count = False  # whether its pages count the rows of the whole pull (totalCount), asked with it
        self._page_version = False  # whether every connection's pages name theirs too, asked with it

    def __repr__(self):
        return f"stedi.Client({self.base!r})"

    def _pages(self, field, fields, page_size, arguments="", declarations="", variables=None, with_version=False):
        """Every node of a connection, page by page. The first cursor pins the lake version for the rest."""
        page_size = page_size_of(page_size)

        # Each page names the version it was read from; a server before connections had lakeVersion is asked, on
        # the first page, which version is live (a rebuild publishing within that request could make it another).
        named = " lakeVersion" if with_version and self._pages_named() else ""

        def document(first_page):
            version = "lake { liveVersion }" if first_page and with_version and not named else ""
            return (
                f"query Page($first: Int!, $after: String{declarations}) {{ {version}"
                f" page: {field}(first: $first, after: $after{arguments}) {{{named}"
                f" edges {{ node {{ {' '.join(fields)} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
            )

        rows = Rows()
        after = None
        while True:
            data = self._page(field, document(after is None), {**(variables or {}), "first": page_size, "after": after}, rows.lake_version, after is None)
            if "lake" in data:
                rows.lake_version = data["lake"]["liveVersion"]
            page = data["page"]
            rows.lake_version = page.get("lakeVersion", rows.lake_version)
            rows.extend(edge["node"] for edge in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                return rows
            after = page["pageInfo"]["endCursor"]

    def _page(self, field, query, variables, version, first_page):
        """One page of `field` (queried as `page:`) of a pull; the server's refusal of its `first` is said as of
        page_size, which the caller wrote, and an error's path names the field, not the alias."""
        try:
            return self._next_page(query, variables, version, first_page)
        except StediError as error:
            aliased_as(error, "page", field)
            if not isinstance(error, BadInputError):
                raise
            said = page_size_error(error, variables["first"])
            if said is error:
                raise
            raise said from None

    # ---- the training set --------------------------------------------------------------------
    def training_set(self, split=None, seed="stedi", page_size=5000, as_frame=None, *, serial=None, start=None, end=None):
        """The training rows (every row when split is None; else TRAIN, VALIDATION or TEST of `seed`); `serial` keeps one
        device's, `start` and `end` (both included) the rows read in that time (epoch ms, a datetime, a date or ISO text).

        Returns a pandas DataFrame when pandas is installed (as_frame=None) or asked for (True):
        x, y, z float64; sensorReadingTime and distanceFromObject int64; sensorReadingDatetime UTC.
        Otherwise a Rows list of dicts with the same types. `.attrs["lake_version"]` / `.lake_version`
        names the lake version every page was read from.
        """
        check_frame(as_frame)
        arguments, declarations, variables = _pull_arguments(split, seed, serial, start, end)
        if self._has_batches():
            columns, version = self._batches(page_size, arguments, declarations, variables)
        else:
            rows = self._pages("machineLearningSamples", SAMPLE_FIELDS, page_size, arguments, declarations, variables, with_version=True)
            columns, version = {name: [r[name] for r in rows] for name in SAMPLE_FIELDS}, rows.lake_version
        return training_frame(_typed_columns(columns), version, as_frame)

    def _pages_named(self):
        """Whether every connection's page names the lake version it was read from (lakeVersion), asked once."""
        self._has_batches()
        return self._page_version

    def _has_batches(self):
        """Whether the server has machineLearningBatch (columns per page: far less JSON than edges and nodes); the
        same question says whether its pages, and every connection's, name their lake version."""
        if self._batch is None:
            types = self.graphql(
                '{ __type(name: "Query") { fields { name } } batch: __type(name: "MachineLearningBatch") { fields { name } }'
                ' connection: __type(name: "CustomerConnection") { fields { name } } }'
            )
            has = lambda found, name: any(f["name"] == name for f in (found or {}).get("fields") or ())  # noqa: E731
            self._batch = any(f["name"] == "machineLearningBatch" for f in types["__type"]["fields"])
            self._batch_version = has(types.get("batch"), "lakeVersion")
            self._batch_count = has(types.get("batch"), "totalCount")
            self._page_version = has(types.get("connection"), "lakeVersion")
        return self._batch

    def _batches(self, page_size, arguments, declarations, variables):
        """The training set through machineLearningBatch: columns, and the version the first page pinned."""
        columns = {name: [] for name in SAMPLE_FIELDS}
        version = None
        for page, version, _, _ in self._batch_pages(page_size, arguments, declarations, variables):
            for name in SAMPLE_FIELDS:
                columns[name].extend(page["columns"][name])
        return columns, version

    def _batch_pages(self, page_size, arguments, declarations, variables, after=None, version=None):
        """Each page of machineLearningBatch after `after` (the first when None) with the version the pull is pinned
        to, the page's endCursor and the rows of the whole pull (totalCount, asked on the first page read here; None
        from a server before it). Each page names its version (lakeVersion), so a pull resumed from a cursor's text
        knows it too; a server before that field is asked which version is live on a pull's first page."""
        page_size = page_size_of(page_size)
        named = " lakeVersion" if self._batch_version else ""
        page_fields = f"rowCount{named} columns {{ {' '.join(SAMPLE_FIELDS)} }} pageInfo {{ hasNextPage endCursor }}"
        first_page = after is None
        total = None
        while True:
            pin = "lake { liveVersion }" if first_page and not named else ""
            # Once per loop: the count is of the version the cursor pins, the same for every page (and cached by the server).
            counted = " totalCount" if self._batch_count and total is None else ""
            query = f"query Batch($first: Int!, $after: String{declarations}) {{ {pin} page: machineLearningBatch(first: $first, after: $after{arguments}) {{ {page_fields}{counted} }} }}"
            data = self._page("machineLearningBatch", query, {**variables, "first": page_size, "after": after}, version, first_page)
            if "lake" in data:
                version = data["lake"]["liveVersion"]
            page = data["page"]
            version = page.get("lakeVersion", version)
            total = page.get("totalCount", total)
            yield page, version, page["pageInfo"]["endCursor"], total
            if not page["pageInfo"]["hasNextPage"]:
                return
            after, first_page = page["pageInfo"]["endCursor"], False

    def training_batches(self, split=None, seed="stedi", page_size=5000, after=None, as_frame=None, *, serial=None, start=None, end=None):
        """The training set (or one split) page by page, for a pull too large to hold at once or one to resume:
        yields each page as training_set returns the whole (a DataFrame, or Rows with as_frame=False), with
        `.attrs["cursor"]` to go on after it, `.attrs["lake_version"]`, the version every page is read from, and
        `.attrs["total_count"]`, the rows of the whole pull (every page's, not only those after `after`: a progress bar's end).
        `after` resumes after a page: the last one a loop kept (an interrupted loop: Ctrl-C, a lost server), or its
        cursor. The cursor pins the version: a rebuild since is fine while the version is kept (STEDI_KEEP_VERSIONS);
        past that, a StaleCursorError says whether the pages read must be discarded (`.discard`). `serial`, `start` and
        `end` keep one device's rows and a time window, as for training_set (a resumed pull gives the same ones)."""
        return training_batches(self, _pull_arguments(split, seed, serial, start, end), page_size, after, as_frame)

    def export(self, path, format=None, split=None, seed="stedi", *, serial=None, start=None, end=None):
        """Downloads the training set (or one split) as one Parquet, CSV or NDJSON file; returns the row count.
        The format is `format` (any case, as the server takes it), else the one the file's extension names.
        `serial`, `start` and `end` keep one device's rows and a time window, as for training_set.

        The file appears only when the download is complete: a failed pull leaves nothing behind (export_download.py).
        """
        format = export_format(path, format)
        seed = split_seed(split, seed)
        path = export_path(path)
        window = window_arguments(serial, start, end)[2]
        params = {"format": format}
        if split is not None:
            params.update(split=split_name(split), splitSeed=seed)
        params.update({{"serial": "serialNumber"}.get(name, name): value for name, value in window.items()})
        request = urllib.request.Request(f"{self.base}/export/machine_learning_curated?{urllib.parse.urlencode(params)}")
        return download_export(self, request, path, format)

    # ---- customers and readings --------------------------------------------------------------
    def customers(self, personal=False, page_size=1000):
        """Consenting customers as dicts; personal=True adds name, email, phone and birthday (admin keys only).
        `.lake_version` names the version every page was read from, as for training_set."""
        fields = CUSTOMER_FIELDS + (PERSONAL_FIELDS if personal else ())
        try:
            return self._pages("customers", fields, page_size, with_version=True)
        except ForbiddenError as error:
            # The server names each personal field of the first row refused ("Customer.customerName needs the admin
            # role ... also at 481 more places"): said here as the argument the caller wrote.
            if not personal:
                raise
            said = ForbiddenError(f"personal=True (name, email, phone, birthday) needs an admin API key, and this one is not: drop personal=True for the customers without them, or use an admin key. Server said: {error.message}", error.code, error.request_id)
            said.errors = error.errors
            raise said from None

    def readings(self, serial, kind="accelerometer", page_size=5000, start=None, end=None):
        """One device's readings: kind is "accelerometer" (timestamp, x, y, z) or "step_trainer" (distanceFromObject);
        `start` and `end` (both included) keep those read in that time, as for training_set.
        `.lake_version` names the version every page was read from, as for training_set."""
        if kind not in READING_FIELDS:
            raise ValueError(f"kind must be one of {', '.join(READING_FIELDS)}; received {kind!r}")
        if serial is None:
            raise ValueError("readings needs the serial of one device: client.readings(serial)")
        field, fields = READING_FIELDS[kind]
        rows = self._pages(field, fields, page_size, *window_arguments(serial, start, end), with_version=True)
        for row in rows:
            for axis in ("x", "y", "z"):
                if axis in row:
                    row[axis] = float(row[axis])
        return rows


def _pull_arguments(split, seed, serial, start, end):
    """The arguments of a training-set page: the split and seed, and the device and time window (each checked)."""
    split_args, split_declarations, split_variables = split_arguments(split, seed)
    window_args, window_declarations, window_variables = window_arguments(serial, start, end)
    return split_args + window_args, split_declarations + window_declarations, {**split_variables, **window_variables}


def _typed_columns(columns):
    # JSON writes 1.0 as 1: make x, y, z floats so every page (and the CSV export) agrees.
    typed = {"serialNumber": list(columns["serialNumber"])}
    for name in ("sensorReadingTime", "distanceFromObject"):
        typed[name] = [int(v) for v in columns[name]]
    for name in ("x", "y", "z"):
        typed[name] = [float(v) for v in columns[name]]
    return typed


__all__ = ["Client", "Rows", "StediError"]
