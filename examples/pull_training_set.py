#!/usr/bin/env python3
"""Pull the STEDI training set (every row, or one split) into a CSV, NDJSON or Parquet file.

A thin command over the notebook client in clients/python (`import stedi`);
in a notebook, use the client directly:

    import stedi
    df = stedi.Client("http://localhost:4000", key).training_set(split="TRAIN")

    python3 examples/pull_training_set.py --key "$STEDI_API_KEY" --split TRAIN --out train.csv

Paging (the default) reads pages of 5,000 rows through GraphQL, all from the
lake version the first page pinned; `--export` downloads the file in one
streamed request from /export (the only way to get Parquet). The file appears
only once the pull is complete. Settings can also come from STEDI_URL and STEDI_API_KEY.
"""

import argparse
import csv
import json
import os
import sys
import time

try:
    import stedi
except ImportError:  # run from a checkout without `pip install ./clients/python`
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
    import stedi

from stedi.client import EXPORT_FORMATS, SAMPLE_FIELDS, SPLITS


def write_to(out, rows, fmt):
    if fmt == "csv":
        # "\n" as /export writes it: the csv module's default "\r\n" made the same rows differ from an export byte for byte.
        writer = csv.DictWriter(out, fieldnames=SAMPLE_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        out.writelines(json.dumps(row) + "\n" for row in rows)


def write_rows(rows, path, fmt):
    """Writes to path.part, then renames: a failed write leaves no half file. "-" is standard output."""
    if path == "-":
        try:
            write_to(sys.stdout, rows, fmt)
            sys.stdout.flush()
        except BrokenPipeError:  # a reader that stopped early (| head): quietly, as any command-line tool
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return len(rows)
    partial = f"{path}.part"
    try:
        with open(partial, "w", newline="", encoding="utf-8") as out:
            write_to(out, rows, fmt)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return len(rows)


def moment(text):
    """--start and --end: epoch milliseconds as digits, else ISO 8601 text, which the client reads."""
    return int(text) if text.strip().lstrip("-").isdigit() else text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("STEDI_URL", "http://localhost:4000"), help="the server (or its /graphql endpoint)")
    parser.add_argument("--key", default=os.environ.get("STEDI_API_KEY"), help="an analyst or admin API key (or STEDI_API_KEY)")
    parser.add_argument("--split", default="ALL", type=str.upper, choices=SPLITS + ("ALL",), help="one split, or ALL rows (default)")
    parser.add_argument("--seed", default="stedi", help="splitSeed: the same seed always gives the same split")
    parser.add_argument("--page-size", default=5000, type=int, help="rows per page, 1 to the server's maximum (10,000 by default)")
    parser.add_argument("--format", default=None, choices=EXPORT_FORMATS, help="default: from --out's extension (.csv, .ndjson, .parquet), else csv")
    parser.add_argument("--out", default=None, help="file to write (default: <split>.<format>; - for standard output, CSV or NDJSON)")
    parser.add_argument("--export", action="store_true", help="download through /export in one request instead of paging")
    parser.add_argument("--serial", default=None, help="one device's rows (its serialNumber)")
    parser.add_argument("--start", default=None, type=moment, help="rows read at or after this time: epoch ms, or ISO 8601 such as 2022-06-18T14:59:00Z")
    parser.add_argument("--end", default=None, type=moment, help="rows read at or before this time (epoch ms or ISO 8601)")
    args = parser.parse_args(argv)
    if not args.key:
        parser.error("an API key is required: --key or STEDI_API_KEY")
    extension = os.path.splitext(args.out or "")[1].lstrip(".").lower()
    # A file named .json or .txt would otherwise get CSV inside, and one named .csv Parquet with --format parquet.
    if extension and extension not in EXPORT_FORMATS and not args.format:
        parser.error(f"cannot tell the format from --out {args.out!r}: name it .csv, .ndjson or .parquet, or add --format")
    if extension in EXPORT_FORMATS and args.format and args.format != extension:
        parser.error(f"--format {args.format} does not match --out {args.out!r}: name the file .{args.format}, or drop --format")
    fmt = args.format or (extension if extension in EXPORT_FORMATS else "csv")
    if args.page_size < 1:
        parser.error(f"--page-size must be at least 1; received {args.page_size}")
    if fmt == "parquet" and not args.export:
        parser.error("Parquet comes from the server's export: add --export")
    if args.split == "ALL" and args.seed != "stedi":
        parser.error("--seed only applies to one split: add --split TRAIN, VALIDATION or TEST, or drop --seed for every row")
    if args.out == "-" and (args.export or fmt == "parquet"):
        parser.error("--out - (standard output) takes CSV or NDJSON rows paged here: name a file for --export or Parquet")
    split = None if args.split == "ALL" else args.split
    out = os.path.expanduser(args.out or f"{args.split.lower()}.{fmt}")  # --out=~/x.csv reaches us unexpanded

    try:
        client = stedi.Client(args.url, args.key)
    except ValueError as error:  # a --url without http:// or https://, or a key no header can carry
        parser.error(f"{'--key' if str(error).startswith('the API key') else '--url'}: {error}")
    started = time.monotonic()
    try:
        window = {"serial": args.serial, "start": args.start, "end": args.end}
        if args.export:
            count = client.export(out, fmt, split, args.seed, **window)
        else:
            count = write_rows(client.training_set(split, args.seed, args.page_size, as_frame=False, **window), out, fmt)
    except ValueError as error:  # the window checked before any request: a --start after --end, text no time reads as
        parser.error(str(error))
    except stedi.StediError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # the output file: a missing folder, no permission, a full disk
        print(f"error: cannot write {out}: {error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl+C: one line, as for every other stop; nothing half-written is left
        print(f"interrupted: {out} was not written", file=sys.stderr)
        return 130
    # On standard output the rows are the output: the summary goes to stderr.
    summary = sys.stderr if out == "-" else sys.stdout
    print(f"wrote {count} {args.split} rows to {'standard output' if out == '-' else out} in {time.monotonic() - started:.1f} s", file=summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
