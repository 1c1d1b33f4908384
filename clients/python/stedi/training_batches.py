"""client.training_batches: the training set one page at a time, each page carrying the cursor that resumes after it.
training_set() holds every row until the last page: a pull interrupted (Ctrl-C, a server lost past retry_seconds)
kept nothing, and there was no way to go on from where it stopped."""

from .errors import StediError
from .frames import check_frame, training_frame


class Batch(list):
    """A page of rows as dicts (as_frame=False, or no pandas): `.attrs` holds its lake_version, cursor and total_count,
    as a DataFrame's does, and `.lake_version`, `.cursor` and `.total_count` say the same."""

    lake_version = None
    cursor = None
    total_count = None

    @property
    def attrs(self):
        return {"lake_version": self.lake_version, "cursor": self.cursor, "total_count": self.total_count}


def training_batches(client, pull_arguments, page_size, after, as_frame):
    """A generator of pages (client.training_batches); its arguments are checked before the first page is asked."""
    check_frame(as_frame)
    arguments, declarations, variables = pull_arguments
    cursor, version = _resume_point(after)
    if not client._has_batches():
        raise StediError(f"{client.base} has no machineLearningBatch (a release before it): page it with training_set(), which reads machineLearningSamples", "UNSUPPORTED")
    pages = client._batch_pages(page_size, arguments, declarations, variables, cursor, version)
    return _batches(pages, as_frame)


def _batches(pages, as_frame):
    from .client import _typed_columns

    for page, version, cursor, total in pages:
        batch = training_frame(_typed_columns(page["columns"]), version, as_frame)
        if isinstance(batch, list):
            batch = Batch(batch)
            batch.lake_version, batch.cursor, batch.total_count = version, cursor, total
        else:
            batch.attrs["cursor"] = cursor
            batch.attrs["total_count"] = total
        yield batch


def _resume_point(after):
    """The cursor and version to resume after: a page training_batches yielded (a Batch or a DataFrame), or a cursor."""
    if after is None or isinstance(after, str):
        return after, None
    attrs = getattr(after, "attrs", None)
    if isinstance(attrs, dict) and "cursor" in attrs:
        if attrs["cursor"] is None:
            raise ValueError("that page has no cursor (it was empty): resume after the page before it, or start again with after=None")
        return attrs["cursor"], attrs.get("lake_version")
    raise ValueError(f"after must be a page training_batches yielded or its cursor (.attrs['cursor']); received {type(after).__name__}")
