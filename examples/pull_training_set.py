#!/usr/bin/env python3
"""Pull one training split of the STEDI lakehouse into a CSV file.

Notebook style: each `# %%` block is a cell you can run on its own in Jupyter
or VS Code. Only the Python standard library is used (urllib, json, csv).

    python3 examples/pull_training_set.py --url http://localhost:4000/graphql \
        --key "$STEDI_API_KEY" --split TRAIN --out train.csv

It pages through `machineLearningSamples` with keyset cursors (pages of 5,000
by default). The first page pins the lake version, so a rebuild while you page
does not mix two versions into one file. `--export` instead downloads the whole
split in one streamed CSV from /export/machine_learning_curated (faster for
large pulls). Settings can also come from STEDI_URL and STEDI_API_KEY.
"""

# %% Settings
import argparse
import csv
import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

FIELDS = ["serialNumber", "sensorReadingTime", "distanceFromObject", "x", "y", "z"]
SPLITS = ("TRAIN", "VALIDATION", "TEST")

PAGE_QUERY = """
query TrainingPage($first: Int!, $after: String, $splitSeed: String) {
  machineLearningSamples(first: $first, after: $after, split: %s, splitSeed: $splitSeed) {
    edges { node { %s } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


class ApiError(Exception):
    """An error the server reported, with its code (UNAUTHENTICATED, BAD_USER_INPUT, STALE_CURSOR, ...)."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code


# %% One GraphQL call
def graphql(url, key, query, variables, timeout=120):
    body = json.dumps({"query": query, "variables": variables}).encode("utf-8")
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"content-type": "application/json", "authorization": f"Bearer {key}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            payload = json.load(response)
    except urllib.error.HTTPError as error:
        # Auth and request errors come back as JSON with a code, whatever the HTTP status.
        try:
            payload = json.load(error)
        except ValueError:
            raise ApiError(f"HTTP_{error.code}", error.reason) from None
    if payload.get("errors"):
        first = payload["errors"][0]
        raise ApiError(first.get("extensions", {}).get("code", "ERROR"), first.get("message", ""))
    return payload["data"]


# %% Page through a split
def samples(url, key, split, seed=None, page_size=5000):
    """Yields the nodes of every page of `split`, in the API's stable order."""
    query = PAGE_QUERY % (split, " ".join(FIELDS))
    after = None
    while True:
        variables = {"first": page_size, "after": after, "splitSeed": seed}
        page = graphql(url, key, query, variables)["machineLearningSamples"]
        for edge in page["edges"]:
            yield edge["node"]
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]


def write_csv(rows, path):
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({field: row[field] for field in FIELDS})
            count += 1
    return count


# %% Or: one streamed file from /export
def export_csv(url, key, split, seed, path):
    """Downloads the split as CSV from /export (same rows, same consent filter); returns the row count."""
    base = url.rsplit("/graphql", 1)[0]
    params = {"format": "csv", "split": split}
    if seed is not None:
        params["splitSeed"] = seed
    req = urllib.request.Request(
        f"{base}/export/machine_learning_curated?{urllib.parse.urlencode(params)}",
        headers={"authorization": f"Bearer {key}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=600) as response, open(path, "wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
            return int(response.headers.get("X-Row-Count", "-1"))
    except urllib.error.HTTPError as error:
        first = json.load(error)["errors"][0]
        raise ApiError(first["extensions"]["code"], first["message"]) from None


# %% Run it
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("STEDI_URL", "http://localhost:4000/graphql"), help="the /graphql endpoint")
    parser.add_argument("--key", default=os.environ.get("STEDI_API_KEY"), help="an analyst or admin API key (or STEDI_API_KEY)")
    parser.add_argument("--split", default="TRAIN", type=str.upper, choices=SPLITS)
    parser.add_argument("--seed", default=None, help="splitSeed: the same seed always gives the same split")
    parser.add_argument("--page-size", default=5000, type=int)
    parser.add_argument("--out", default=None, help="CSV file to write (default: <split>.csv)")
    parser.add_argument("--export", action="store_true", help="download through /export in one request instead of paging")
    args = parser.parse_args(argv)
    if not args.key:
        parser.error("an API key is required: --key or STEDI_API_KEY")
    out = args.out or f"{args.split.lower()}.csv"

    started = time.monotonic()
    try:
        if args.export:
            count = export_csv(args.url, args.key, args.split, args.seed, out)
        else:
            count = write_csv(samples(args.url, args.key, args.split, args.seed, args.page_size), out)
    except ApiError as error:
        if error.code == "STALE_CURSOR":
            print("The lake version this pull started on is gone (several rebuilds since); run it again.", file=sys.stderr)
        print(f"error: {error}", file=sys.stderr)
        return 1
    except urllib.error.URLError as error:
        print(f"error: cannot reach {args.url} ({error.reason}); is the server running?", file=sys.stderr)
        return 1
    seconds = time.monotonic() - started
    print(f"wrote {count} {args.split} rows to {out} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
