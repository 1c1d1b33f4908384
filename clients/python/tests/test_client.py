import datetime
import json
import os
import re
import socket
import threading
import time
import unittest
import unittest.mock

from tests import fake_server
from tests.fake_server import HANG_UP
from tests.folders import temporary_folder
from tests.live import ADMIN_KEY, ANALYST_KEY, URL, needs_server

import stedi


class ModuleNamesTest(unittest.TestCase):
    def test_the_errors_and_client_stedi_client_gave_before_the_transport_split_still_import_from_it(self):
        from stedi.client import Client, ConnectionError, Rows, ServerError, StediError

        self.assertIs(Client, stedi.Client)
        self.assertIs(Rows, stedi.Rows)
        for name, error in (("ConnectionError", ConnectionError), ("ServerError", ServerError), ("StediError", StediError)):
            self.assertIs(error, getattr(stedi, name))


def total_count(client, split=None):
    args = f"(first: 1, split: {split})" if split else "(first: 1)"
    return client.graphql(f"{{ machineLearningSamples{args} {{ totalCount }} }}")["machineLearningSamples"]["totalCount"]


@needs_server
class TrainingSetTest(unittest.TestCase):
    def setUp(self):
        self.client = stedi.Client(URL, ANALYST_KEY)

    def test_every_row_when_no_split_is_given_with_floats_for_xyz_and_the_version_it_read(self):
        rows = self.client.training_set(as_frame=False, page_size=1)
        self.assertEqual(len(rows), total_count(self.client))
        self.assertGreater(len(rows), 1)
        for row in rows:
            self.assertEqual([type(row[a]) for a in ("x", "y", "z")], [float, float, float])
            self.assertIsInstance(row["sensorReadingTime"], int)
        live = self.client.graphql("{ lake { versions { version } } }")["lake"]["versions"]
        self.assertIn(rows.lake_version, [v["version"] for v in live])

    def test_the_three_splits_hold_every_row_once(self):
        splits = [self.client.training_set(split, as_frame=False, page_size=1) for split in ("TRAIN", "validation", "TEST")]
        self.assertEqual(sum(len(s) for s in splits), total_count(self.client))
        for split, rows in zip(("TRAIN", "VALIDATION", "TEST"), splits):
            self.assertEqual(len(rows), total_count(self.client, split))

    def test_reads_columns_when_the_server_has_them_and_the_same_rows_through_edges_otherwise(self):
        self.assertTrue(self.client._has_batches())
        columnar = self.client.training_set("TRAIN", as_frame=False, page_size=1)
        self.client._batch = False
        paged = self.client.training_set("TRAIN", as_frame=False, page_size=1)
        self.assertEqual(list(columnar), list(paged))
        self.assertEqual(columnar.lake_version, paged.lake_version)

    def test_batches_hold_the_training_set_page_by_page_and_a_pull_stopped_midway_resumes_after_its_last_page(self):
        # training_set() kept nothing of a pull interrupted midway, and no cursor to go on from.
        whole = self.client.training_set("TRAIN", as_frame=False)
        batches = list(self.client.training_batches("TRAIN", page_size=1, as_frame=False))
        self.assertEqual([row for batch in batches for row in batch], list(whole))
        self.assertGreater(len(batches), 2)
        self.assertEqual({b.attrs["lake_version"] for b in batches}, {whole.lake_version})
        self.assertTrue(all(b.cursor and b.attrs["cursor"] == b.cursor for b in batches))
        # Every page says how many rows the whole pull holds (a progress bar's end): the server's count, the rows read.
        self.assertEqual({(b.total_count, b.attrs["total_count"]) for b in batches}, {(len(whole), len(whole))})
        self.assertEqual(len(whole), total_count(self.client, "TRAIN"))
        read, last = [], None
        for batch in self.client.training_batches("TRAIN", page_size=1, as_frame=False):
            read.extend(batch)
            last = batch
            if len(read) == 2:
                break  # as Ctrl-C or a lost server stops a loop
        for after in (last, last.cursor):
            resumed = list(self.client.training_batches("TRAIN", page_size=1, after=after, as_frame=False))
            self.assertEqual(read + [row for batch in resumed for row in batch], list(whole))
            # Resumed from the cursor's text alone too, each page names its version (it was None).
            self.assertEqual({b.lake_version for b in resumed}, {whole.lake_version})
            self.assertEqual({b.total_count for b in resumed}, {len(whole)})
        with self.assertRaisesRegex(stedi.BadInputError, "was issued with another `split` argument"):
            list(self.client.training_batches("TEST", page_size=1, after=last, as_frame=False))
        with self.assertRaisesRegex(ValueError, r"after must be a page training_batches yielded or its cursor \(\.attrs\['cursor'\]\); received int"):
            self.client.training_batches(after=3)

    def test_one_devices_rows_in_a_time_window_are_the_training_rows_of_that_device_and_time_both_ends_included(self):
        whole = self.client.training_set(as_frame=False)
        serial = whole[0]["serialNumber"]
        times = sorted({r["sensorReadingTime"] for r in whole if r["serialNumber"] == serial})
        self.assertGreater(len(times), 1)
        # One moment, the device's first: its rows at both ends of the window, none of its later ones nor another device's.
        start = end = times[0]
        expected = [r for r in whole if r["serialNumber"] == serial and r["sensorReadingTime"] == start]
        self.assertGreater(len(expected), 1)
        as_datetime = datetime.datetime.fromtimestamp(start / 1000, datetime.timezone.utc)
        as_text = datetime.datetime.fromtimestamp(end / 1000, datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        for window in ({"start": start, "end": end}, {"start": as_datetime, "end": as_text}):
            self.assertEqual(list(self.client.training_set(as_frame=False, page_size=1, serial=serial, **window)), expected)
            batches = self.client.training_batches(page_size=1, as_frame=False, serial=serial, **window)
            first = next(batches)
            rest = self.client.training_batches(page_size=1, after=first.cursor, as_frame=False, serial=serial, **window)
            self.assertEqual(list(first) + [row for batch in rest for row in batch], expected)
        every = [r for r in whole if r["sensorReadingTime"] >= times[-1]]
        self.assertEqual(list(self.client.training_set(as_frame=False, start=times[-1])), every)
        self.assertLess(len(every), len(whole))
        folder = temporary_folder(self)
        for name in ("one.ndjson", "one.csv"):
            self.assertEqual(self.client.export(os.path.join(folder, name), serial=serial.upper(), start=as_datetime, end=as_text), len(expected))
        exported = [json.loads(line) for line in open(os.path.join(folder, "one.ndjson"), encoding="utf-8")]
        self.assertEqual([{k: r[k] for k in expected[0]} for r in exported], list(expected))
        readings = self.client.readings(serial, "step_trainer")
        self.assertEqual(list(self.client.readings(serial, "step_trainer", end=end)), [r for r in readings if r["sensorReadingTime"] <= end])

    def test_refuses_an_unknown_split_before_asking_the_server(self):
        with self.assertRaisesRegex(ValueError, "split must be one of TRAIN, VALIDATION, TEST"):
            self.client.training_set("TRIAN")

    def test_a_page_size_the_server_refuses_is_said_as_page_size_not_as_the_servers_first(self):
        pulls = {
            "training_set": lambda size: self.client.training_set(page_size=size, as_frame=False),
            "customers": lambda size: self.client.customers(page_size=size),
            "readings": lambda size: self.client.readings("serial-alice", page_size=size),
        }
        # 10,001: past the server's largest page (its range of `first`); 200,000: past its cost limit too, which the
        # server says as the range of `first` all the same (it was the cost limit's message, which names no maximum).
        for size in (10_001, 200_000):
            fix = r"pass a page_size from 1 to 10,000 \(this server's STEDI_MAX_PAGE_SIZE\)"
            for name, pull in pulls.items():
                with self.subTest(pull=name, page_size=size), self.assertRaises(stedi.BadInputError) as caught:
                    pull(size)
                self.assertEqual(caught.exception.code, "BAD_USER_INPUT")
                self.assertRegex(caught.exception.message, f"^page_size={size} is more rows per page than this server answers: {fix}")
                self.assertIn(f"received {size}", caught.exception.message)
        if self.client._has_batches():
            self.client._batch = False
            with self.assertRaisesRegex(stedi.BadInputError, "^BAD_USER_INPUT: page_size=10001 is more rows per page"):
                self.client.training_set(page_size=10_001, as_frame=False)

    def test_refuses_a_seed_without_a_split_as_the_server_does_instead_of_pulling_every_row(self):
        for pull in (lambda: self.client.training_set(seed="epoch-1"), lambda: self.client.export(os.devnull, "csv", seed="epoch-1")):
            with self.assertRaisesRegex(ValueError, "seed only applies to a split"):
                pull()


@needs_server
class ExportTest(unittest.TestCase):
    def setUp(self):
        self.client = stedi.Client(URL + "/graphql", ANALYST_KEY)
        self.dir = temporary_folder(self, "stedi-py-export-")

    def test_writes_parquet_csv_and_ndjson_with_the_row_count(self):
        expected = total_count(self.client)
        for fmt in ("parquet", "csv", "ndjson"):
            path = os.path.join(self.dir, f"all.{fmt}")
            self.assertEqual(self.client.export(path, fmt), expected)
            with open(path, "rb") as f:
                data = f.read()
            if fmt == "parquet":
                self.assertEqual(data[:4], b"PAR1")
            elif fmt == "csv":
                self.assertEqual(len(data.decode().strip().splitlines()), expected + 1)
            else:
                self.assertEqual(len([json.loads(line) for line in data.decode().splitlines()]), expected)

    def test_takes_a_format_in_any_case_as_the_server_does(self):
        path = os.path.join(self.dir, "train.csv")
        self.assertEqual(self.client.export(path, "CSV", "train"), self.client.export(os.path.join(self.dir, "same.csv"), "csv", "TRAIN"))
        with open(path, "rb") as f:
            self.assertTrue(f.read().startswith(b"serialNumber"))
        with self.assertRaisesRegex(ValueError, r"format must be one of parquet, csv, ndjson \(any case\); received 'XLSX'"):
            self.client.export(path, "XLSX")

    def test_the_format_is_the_one_the_file_name_says_when_not_given_and_a_contradicting_one_is_refused(self):
        # export("train.csv") wrote Parquet (the default format) into train.csv: pandas.read_csv read garbage.
        starts = {"csv": b"serialNumber", "ndjson": b'{"serialNumber"', "jsonl": b'{"serialNumber"', "parquet": b"PAR1", "PQ": b"PAR1"}
        for extension, start in starts.items():
            path = os.path.join(self.dir, f"train.{extension}")
            self.client.export(path, split="TRAIN")
            with open(path, "rb") as f:
                self.assertEqual(f.read(len(start)), start, extension)
        no_extension = os.path.join(self.dir, "train")
        self.client.export(no_extension, split="TEST")
        with open(no_extension, "rb") as f:
            self.assertEqual(f.read(4), b"PAR1")
        before = sorted(os.listdir(self.dir))
        with self.assertRaisesRegex(ValueError, r"format='parquet' does not match the file name '.*train\.csv', which says csv: name the file \.parquet, or drop format to write csv"):
            self.client.export(os.path.join(self.dir, "train.csv"), format="parquet")
        with self.assertRaisesRegex(ValueError, r"cannot tell the format from the file name '.*train\.json': name it \.parquet, \.csv or \.ndjson, or pass format="):
            self.client.export(os.path.join(self.dir, "train.json"))
        self.assertEqual(self.client.export(os.path.join(self.dir, "rows.json"), "ndjson", "TEST"), self.client.export(os.path.join(self.dir, "rows.ndjson"), split="TEST"))
        self.assertEqual(sorted(os.listdir(self.dir)), sorted(before + ["rows.json", "rows.ndjson"]))

    def test_a_seed_of_none_or_a_whole_number_chooses_the_same_customers_in_training_set_and_export(self):
        # seed=None exported the split of the text "None" while training_set pulled the default seed's; seed=7 was
        # refused by training_set's String variable while export sent "7".
        def serials(rows):
            return sorted({row["serialNumber"] for row in rows})

        def exported(seed):
            path = os.path.join(self.dir, f"test-{seed}.ndjson")
            self.client.export(path, split="TEST", seed=seed)
            with open(path) as f:
                return serials(json.loads(line) for line in f)

        for seed, same_as in ((None, "stedi"), (7, "7")):
            with self.subTest(seed=seed):
                pulled = serials(self.client.training_set("TEST", seed=seed, as_frame=False))
                self.assertEqual(pulled, serials(self.client.training_set("TEST", seed=same_as, as_frame=False)))
                self.assertEqual(exported(seed), pulled)
        self.assertEqual(len(self.client.training_set(seed=None, as_frame=False)), total_count(self.client))
        for seed in (True, 1.5, b"stedi"):
            with self.subTest(seed=seed), self.assertRaisesRegex(ValueError, f"seed must be a string or a whole number; received {re.escape(repr(seed))}"):
                self.client.training_set("TEST", seed=seed)

    def test_a_failed_export_leaves_no_file(self):
        bad = stedi.Client(URL, "not-a-real-key-0123456789")
        path = os.path.join(self.dir, "failed.csv")
        with self.assertRaises(stedi.AuthenticationError) as caught:
            bad.export(path, "csv", "TRAIN")
        self.assertEqual(caught.exception.code, "UNAUTHENTICATED")
        self.assertEqual(os.listdir(self.dir), [])

    def test_a_path_starting_with_a_tilde_is_under_the_home_folder(self):
        home = os.environ.get("HOME")
        os.environ["HOME"] = self.dir
        try:
            self.client.export("~/train.csv", "csv", "TRAIN")
        finally:
            if home is None:
                del os.environ["HOME"]
            else:
                os.environ["HOME"] = home
        self.assertEqual(os.listdir(self.dir), ["train.csv"])

    def test_a_local_file_error_is_raised_as_it_is_not_as_a_lost_connection(self):
        path = os.path.join(self.dir, "no-such-folder", "train.csv")
        with self.assertRaises(FileNotFoundError) as caught:
            self.client.export(path, "csv", "TRAIN")
        self.assertNotIsInstance(caught.exception, stedi.StediError)
        self.assertEqual(os.listdir(self.dir), [])

    def test_a_missing_folder_or_a_folder_as_the_file_is_said_with_the_path_the_caller_gave(self):
        missing = os.path.join(self.dir, "no-such-folder", "train.csv")
        with self.assertRaises(FileNotFoundError) as caught:
            self.client.export(missing, "csv")
        message = str(caught.exception)
        self.assertIn(f"the folder {os.path.dirname(missing)!r} to export into does not exist", message)
        self.assertTrue(message.endswith(f": {missing!r}"), message)
        self.assertNotIn(".part", message)
        self.assertEqual(caught.exception.filename, missing)
        with self.assertRaisesRegex(IsADirectoryError, "the path to export to is a folder; name the file to write in it") as caught:
            self.client.export(self.dir, "csv")
        self.assertEqual(caught.exception.filename, self.dir)
        self.assertEqual(os.listdir(self.dir), [])


@needs_server
class CustomersAndReadingsTest(unittest.TestCase):
    def test_customers_and_one_devices_readings(self):
        client = stedi.Client(URL, ANALYST_KEY)
        customers = client.customers(page_size=1)
        self.assertGreater(len(customers), 1)
        self.assertNotIn("email", customers[0])
        serial = customers[0]["serialNumber"]
        readings = client.readings(serial)
        self.assertTrue(readings)
        self.assertEqual({r["serialNumber"] for r in readings}, {serial})
        self.assertIsInstance(readings[0]["x"], float)
        steps = client.readings(serial, kind="step_trainer")
        self.assertEqual({r["serialNumber"] for r in steps}, {serial})

    def test_a_serial_typed_in_capitals_or_with_spaces_around_it_finds_the_device(self):
        # The server matched serials exactly: readings(" SERIAL-ALICE") returned [] without a word.
        client = stedi.Client(URL, ANALYST_KEY)
        exact = client.readings("serial-alice")
        self.assertTrue(exact)
        for typed in ("SERIAL-ALICE", " serial-alice\t", "Serial-Alice "):
            with self.subTest(typed=typed):
                self.assertEqual(list(client.readings(typed)), list(exact))
        self.assertEqual(list(client.readings("SERIAL-CAROL")), [])  # carol withholds consent: no spelling finds her

    def test_customers_and_readings_name_the_lake_version_their_pages_were_read_from(self):
        client = stedi.Client(URL, ANALYST_KEY)
        kept = [v["version"] for v in client.graphql("{ lake { versions { version } } }")["lake"]["versions"]]
        customers = client.customers(page_size=1)
        self.assertIn(customers.lake_version, kept)
        self.assertEqual(customers.attrs, {"lake_version": customers.lake_version})
        readings = client.readings(customers[0]["serialNumber"], page_size=1)
        self.assertIn(readings.lake_version, kept)

    def test_personal_data_needs_an_admin_key_said_as_the_personal_argument(self):
        with self.assertRaises(stedi.ForbiddenError) as caught:
            stedi.Client(URL, ANALYST_KEY).customers(personal=True)
        self.assertEqual(caught.exception.code, "FORBIDDEN")
        # It was the server's words for the first refused field, "Customer.customerName needs the admin role ...".
        self.assertRegex(str(caught.exception), r"^FORBIDDEN: personal=True \(name, email, phone, birthday\) needs an admin API key, and this one is not: drop personal=True .* Server said: Customer\.customerName needs the admin role")
        self.assertEqual({e.code for e in caught.exception.errors}, {"FORBIDDEN"})
        self.assertIn("email", stedi.Client(URL, ADMIN_KEY).customers(personal=True)[0])


class LostConnectionTest(unittest.TestCase):
    """A server that goes away mid-answer (no live server needed: a socket that misbehaves)."""

    def serve(self, handle):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        self.addCleanup(listener.close)

        def run():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                handle(connection)

        threading.Thread(target=run, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    def test_a_server_that_closes_without_answering_is_a_connection_error(self):
        url = self.serve(lambda connection: None)
        with self.assertRaisesRegex(stedi.ConnectionError, "lost the connection"):
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5).graphql("{ lake { liveVersion } }")

    def test_an_answer_cut_short_without_a_content_length_is_a_connection_error_not_a_json_error(self):
        # A proxy that dropped Content-Length sends the answer until the connection closes: cut, it is JSON cut short.
        url = self.serve(lambda connection: connection.sendall(b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"data":{"lake":{"liveVer'))
        with self.assertRaisesRegex(stedi.ConnectionError, "ended before its JSON did"):
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5).graphql("{ lake { liveVersion } }")

    def test_a_read_that_times_out_is_a_connection_error_saying_so_not_a_restart(self):
        # It said "lost the connection (TimeoutError: timed out); the server may be restarting", which sent users
        # looking for a restart instead of a busy server or a page too large.
        url = self.serve(lambda connection: time.sleep(2))
        with self.assertRaises(stedi.ConnectionError) as caught:
            stedi.Client(url, "any-key-0123456789abcdef", timeout=0.3).graphql("{ lake { liveVersion } }")
        self.assertTrue(caught.exception.timed_out)
        self.assertRegex(str(caught.exception), r"^CONNECTION_FAILED: no answer from http://127\.0\.0\.1:\d+ for 0\.3 s \(the client's timeout\): the server is busy .* a smaller page_size.* stedi\.Client\(url, key, timeout=0\.6\)$")
        self.assertNotIn("restarting", str(caught.exception))

    def test_an_export_cut_short_is_a_connection_error_and_leaves_no_file(self):
        url = self.serve(lambda connection: connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\nX-Row-Count: 5\r\n\r\npartial"))
        path = os.path.join(temporary_folder(self), "train.parquet")
        with self.assertRaises(stedi.ConnectionError):
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5).export(path)
        self.assertEqual(os.listdir(os.path.dirname(path)), [])

    def export_without_length(self, format, rows, body):
        """Exports from a server behind a proxy that dropped Content-Length: the body ends when the connection closes."""
        head = b"HTTP/1.1 200 OK\r\nconnection: close\r\nx-row-count: %d\r\n\r\n" % rows
        url = self.serve(lambda connection: connection.sendall(head + body))
        path = os.path.join(temporary_folder(self), f"train.{format}")
        return path, lambda: stedi.Client(url, "any-key-0123456789abcdef", timeout=5).export(path, format=format)

    def test_an_export_cut_short_without_a_content_length_is_a_connection_error_and_leaves_no_file(self):
        for format, rows, body in (
            ("ndjson", 3, b'{"x":1}\n{"x":2}\n'),
            ("ndjson", 3, b'{"x":1}\n{"x":2}\n{"x"'),
            ("csv", 2, b"serialNumber,x\na,1\n"),
            ("parquet", 2, b"PAR1 row groups, then no footer"),
        ):
            path, export = self.export_without_length(format, rows, body)
            with self.assertRaisesRegex(stedi.ConnectionError, "ended before all of its"):
                export()
            self.assertEqual(os.listdir(os.path.dirname(path)), [], (format, body))

    def test_a_whole_export_without_a_content_length_is_kept(self):
        for format, rows, body in (("ndjson", 2, b'{"x":1}\n{"x":2}\n'), ("csv", 1, b"serialNumber,x\na,1\n"), ("parquet", 2, b"PAR1 row groups and a footer PAR1")):
            path, export = self.export_without_length(format, rows, body)
            self.assertEqual(export(), rows)
            with open(path, "rb") as file:
                self.assertEqual(file.read(), body)

    def test_an_export_refused_stale_carries_the_servers_reason_and_leaves_no_file(self):
        body = json.dumps({"errors": [{"message": "the lake changed while this request ran: send the request again", "extensions": {"code": "STALE_CURSOR", "reason": "LAKE_CHANGED"}}]}).encode()
        url = self.serve(lambda connection: connection.sendall(b"HTTP/1.1 410 Gone\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)))
        path = os.path.join(temporary_folder(self), "train.parquet")
        with self.assertRaises(stedi.StaleCursorError) as caught:
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5).export(path)
        self.assertEqual((caught.exception.reason, caught.exception.discard), ("LAKE_CHANGED", False))
        self.assertEqual(os.listdir(os.path.dirname(path)), [])


class PullAcrossRestartTest(unittest.TestCase):
    """A server lost between two pages of a pull (no live server needed: a fake one that drops connections)."""

    def serve(self, drops):
        """A server with a two-page training set; drops(page, attempt) says whether to hang up instead of answering."""
        asked = []

        def respond(body):
            if "__type" in body["query"]:
                return {"data": {"__type": {"fields": [{"name": "machineLearningBatch"}]}}}
            page = 2 if body["variables"]["after"] else 1
            asked.append(page)
            dropped = drops(page, asked.count(page))
            if dropped is True:
                return HANG_UP  # as a killed server process does
            if dropped == 429:  # the server's per-key limit: wait Retry-After, then ask again
                return 429, {"errors": [{"message": "this API key already has 6 requests for data running", "extensions": {"code": "RATE_LIMITED"}}]}, {"retry-after": "0"}
            if dropped == "BUSY":  # the server answering too many rows for all clients at once (STEDI_ROWS_IN_FLIGHT), as it says it
                return 503, {"errors": [{"message": "this server process is answering 10,000 rows for all clients together", "extensions": {"code": "ENGINE_BUSY"}}]}, {"retry-after": "0"}
            if isinstance(dropped, str):  # the server's own answer that it cannot serve for now
                return {"data": {"page": None}, "errors": [{"message": "consent cannot be checked now: retry later", "extensions": {"code": dropped}}]}
            if dropped:  # a proxy in front answers for a server that is down
                return dropped, b"<html><body><h1>502 Bad Gateway</h1></body></html>", {}
            row = {"serialNumber": [f"s{page}"], "sensorReadingTime": [page], "distanceFromObject": [1], "x": [0], "y": [0], "z": [0]}
            answer = {"data": {"page": {"rowCount": 1, "columns": row, "pageInfo": {"hasNextPage": page == 1, "endCursor": f"c{page}"}}}}
            if page == 1:
                answer["data"]["lake"] = {"liveVersion": "v1"}
            return answer

        return fake_server.serve(self, respond), asked

    def test_a_page_after_the_first_is_asked_again_when_the_server_hangs_up_and_the_pull_goes_on(self):
        url, asked = self.serve(lambda page, attempt: page == 2 and attempt <= 2)
        rows = stedi.Client(url, "any-key-0123456789abcdef", timeout=5).training_set(as_frame=False, page_size=1)
        self.assertEqual([r["serialNumber"] for r in rows], ["s1", "s2"])
        self.assertEqual(rows.lake_version, "v1")
        self.assertEqual(asked, [1, 2, 2, 2])

    def test_a_proxy_answering_502_or_503_for_a_restarting_server_is_asked_again_but_not_a_504(self):
        url, asked = self.serve(lambda page, attempt: page == 2 and {1: 502, 2: 503}.get(attempt, False))
        rows = stedi.Client(url, "any-key-0123456789abcdef", timeout=5).training_set(as_frame=False, page_size=1)
        self.assertEqual([r["serialNumber"] for r in rows], ["s1", "s2"])
        self.assertEqual(asked, [1, 2, 2, 2])
        url, asked = self.serve(lambda page, attempt: page == 2 and 504)  # the page took too long: not asked again
        with self.assertRaisesRegex(stedi.ServerError, "HTTP 504"):
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5).training_set(as_frame=False, page_size=1)
        self.assertEqual(asked, [1, 2])

    def test_a_page_the_server_cannot_answer_for_now_is_asked_again_but_not_the_first_nor_past_retry_seconds(self):
        # CONSENT_UNAVAILABLE (the landing unreadable for a while) and ENGINE_BUSY say "retry later": the cursor pins the version.
        for code in ("CONSENT_UNAVAILABLE", "ENGINE_BUSY"):
            url, asked = self.serve(lambda page, attempt: page == 2 and attempt <= 2 and code)
            rows = stedi.Client(url, "any-key-0123456789abcdef", timeout=5).training_set(as_frame=False, page_size=1)
            self.assertEqual([r["serialNumber"] for r in rows], ["s1", "s2"])
            self.assertEqual(asked, [1, 2, 2, 2])
        url, asked = self.serve(lambda page, attempt: page == 1 and "CONSENT_UNAVAILABLE")
        with self.assertRaises(stedi.ServerError) as caught:
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5).training_set(as_frame=False, page_size=1)
        self.assertEqual((caught.exception.code, asked), ("CONSENT_UNAVAILABLE", [1]))
        url, asked = self.serve(lambda page, attempt: page == 2 and "CONSENT_UNAVAILABLE")
        with self.assertRaises(stedi.ServerError) as caught:
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5, retry_seconds=0.5).training_set(as_frame=False, page_size=1)
        self.assertEqual((caught.exception.code, asked.count(2)), ("CONSENT_UNAVAILABLE", 2))

    def test_a_429_for_too_many_requests_of_the_key_is_asked_again_after_retry_after_even_on_the_first_page(self):
        url, asked = self.serve(lambda page, attempt: attempt <= 2 and 429)
        rows = stedi.Client(url, "any-key-0123456789abcdef", timeout=5).training_set(as_frame=False, page_size=1)
        self.assertEqual([r["serialNumber"] for r in rows], ["s1", "s2"])
        self.assertEqual(asked, [1, 1, 1, 2, 2, 2])
        url, asked = self.serve(lambda page, attempt: 429)  # still refused once retry_seconds have passed
        with self.assertRaises(stedi.RateLimitedError) as caught:
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5, retry_seconds=0.2).training_set(as_frame=False, page_size=1)
        self.assertEqual(caught.exception.code, "RATE_LIMITED")
        # Its own class, still a ServerError for code written before it; it carries the wait the server asked for.
        self.assertIsInstance(caught.exception, stedi.ServerError)
        self.assertEqual(caught.exception.retry_after, 0.0)
        self.assertTrue(2 <= asked.count(1) <= 6, asked)

    def test_a_503_saying_when_to_ask_again_is_asked_again_after_retry_after_even_on_the_first_page(self):
        # Refused before anything ran, as a 429 is: a pull starting while the server answers other clients' pages waits its turn.
        url, asked = self.serve(lambda page, attempt: attempt <= 2 and "BUSY")
        rows = stedi.Client(url, "any-key-0123456789abcdef", timeout=5).training_set(as_frame=False, page_size=1)
        self.assertEqual([r["serialNumber"] for r in rows], ["s1", "s2"])
        self.assertEqual(asked, [1, 1, 1, 2, 2, 2])
        url, asked = self.serve(lambda page, attempt: "BUSY")  # still refused once retry_seconds have passed
        with self.assertRaises(stedi.ServerError) as caught:
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5, retry_seconds=0.2).training_set(as_frame=False, page_size=1)
        self.assertEqual((caught.exception.code, caught.exception.status), ("ENGINE_BUSY", 503))
        self.assertTrue(2 <= asked.count(1) <= 6, asked)
        url, asked = self.serve(lambda page, attempt: page == 2 and "BUSY")  # a later page: retry_seconds in all, not once per backoff step
        with self.assertRaises(stedi.ServerError):
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5, retry_seconds=0.5).training_set(as_frame=False, page_size=1)
        self.assertTrue(2 <= asked.count(2) <= 11, asked)  # Retry-After 0: a wait of 50 ms, at most 10 of them in 0.5 s
        url, asked = self.serve(lambda page, attempt: page == 1 and 503)  # a proxy's 503 names no wait: the first page is not asked again
        with self.assertRaisesRegex(stedi.ServerError, "HTTP 503"):
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5).training_set(as_frame=False, page_size=1)
        self.assertEqual(asked, [1])

    def test_the_first_page_is_not_asked_again_so_a_server_that_is_down_says_so_at_once(self):
        url, asked = self.serve(lambda page, attempt: page == 1)
        with self.assertRaises(stedi.ConnectionError):
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5).training_set(as_frame=False, page_size=1)
        self.assertEqual(asked, [1])

    def test_a_pull_gives_up_once_retry_seconds_have_passed_or_at_once_with_retry_seconds_0(self):
        for retry_seconds, attempts in ((0, 1), (0.5, 2)):
            url, asked = self.serve(lambda page, attempt: page == 2)
            with self.assertRaisesRegex(stedi.ConnectionError, "the server may be restarting"):
                stedi.Client(url, "any-key-0123456789abcdef", timeout=5, retry_seconds=retry_seconds).training_set(as_frame=False, page_size=1)
            self.assertEqual(asked.count(2), attempts)


class WithoutPandasTest(unittest.TestCase):
    def test_as_frame_true_without_pandas_is_refused_before_any_page_is_read(self):
        # It was refused after the whole training set had been pulled (minutes at scale), then thrown away.
        asked = []
        url = fake_server.serve(self, lambda body: asked.append(body) or {"data": {}})
        missing = unittest.mock.patch.object(stedi.frames, "_pd", None)
        with missing, self.assertRaisesRegex(ImportError, r"as_frame=True needs pandas, which is not installed: pip install pandas .* or pass as_frame=False"):
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5).training_set("TRAIN", as_frame=True)
        self.assertEqual(asked, [])


class VariablesTest(unittest.TestCase):
    def test_a_variable_json_cannot_carry_is_refused_naming_its_type_before_anything_is_sent(self):
        asked = []
        url = fake_server.serve(self, lambda body: asked.append(body) or {"data": {}})
        client = stedi.Client(url, "any-key-0123456789abcdef", timeout=5)
        with self.assertRaisesRegex(TypeError, r"^a GraphQL variable holds a date, which JSON cannot carry: pass str, int, float, bool, None"):
            client.graphql("query ($d: SafeInt) { lake { liveVersion } }", {"d": datetime.date(2022, 6, 18)})
        for size in (True, 0, 2.5, "10"):
            with self.subTest(page_size=size), self.assertRaisesRegex(ValueError, f"page_size must be a whole number of at least 1; received {re.escape(repr(size))}"):
                client.customers(page_size=size)
        self.assertEqual(asked, [])

    def test_nan_or_infinity_is_refused_saying_so_before_anything_is_sent(self):
        # json.dumps wrote NaN and Infinity, which are not JSON: the server answered the body was not valid JSON, "a cut-off body or a stray quote".
        asked = []
        url = fake_server.serve(self, lambda body: asked.append(body) or {"data": {}})
        client = stedi.Client(url, "any-key-0123456789abcdef", timeout=5)
        for value in (float("nan"), float("inf"), -float("inf"), [1.0, float("nan")]):
            with self.subTest(value=value), self.assertRaisesRegex(ValueError, r"^a GraphQL variable holds NaN or infinity \(a missing value\?\), which JSON cannot carry: pass a number, or None$"):
                client.graphql("query ($f: Float) { lake { liveVersion } }", {"f": value})
        self.assertEqual(asked, [])


class PartialAnswerTest(unittest.TestCase):
    """An answer with both data and errors (no live server needed): the error raised keeps all of it."""

    def graphql(self, answer):
        url = fake_server.serve(self, lambda body: answer)
        return stedi.Client(url, "any-key-0123456789abcdef", timeout=5).graphql("{ lake { liveVersion } customers(first: 1) { edges { node { email phone } } } }")

    def test_the_error_raised_carries_the_data_that_arrived_and_every_error_with_its_code_and_path(self):
        # graphql() raised the first error alone: the liveVersion and serials that did arrive were lost.
        data = {"lake": {"liveVersion": "v1"}, "customers": {"edges": [{"node": {"serialNumber": "s1", "email": None, "phone": None}}]}}
        errors = [
            {"message": "Customer.email needs the admin role", "path": ["customers", "edges", 0, "node", "email"], "extensions": {"code": "FORBIDDEN"}},
            {"message": "Customer.phone needs the admin role", "path": ["customers", "edges", 0, "node", "phone"], "extensions": {"code": "FORBIDDEN"}},
            {"message": "no code, no path"},
        ]
        with self.assertRaises(stedi.ForbiddenError) as caught:
            self.graphql({"data": data, "errors": errors})
        error = caught.exception
        self.assertEqual(error.data, data)
        self.assertEqual(error.errors, (
            stedi.ErrorDetail("Customer.email needs the admin role", "FORBIDDEN", ("customers", "edges", 0, "node", "email")),
            stedi.ErrorDetail("Customer.phone needs the admin role", "FORBIDDEN", ("customers", "edges", 0, "node", "phone")),
            stedi.ErrorDetail("no code, no path", None, ()),
        ))
        self.assertEqual(error.message, "Customer.email needs the admin role")
        self.assertEqual(
            str(error),
            "FORBIDDEN: Customer.email needs the admin role (at customers.edges[0].node.email). 2 more errors (all on .errors): "
            "FORBIDDEN at customers.edges[0].node.phone: Customer.phone needs the admin role; ERROR: no code, no path. "
            "The rest of the answer arrived: it is on this error's .data",
        )

    def test_an_answer_with_no_data_beside_its_error_says_nothing_arrived(self):
        with self.assertRaises(stedi.BadInputError) as caught:
            self.graphql({"data": {"page": None}, "errors": [{"message": "`first` must be 1 to 10000", "path": ["page"], "extensions": {"code": "BAD_USER_INPUT"}}]})
        self.assertEqual((caught.exception.data, len(caught.exception.errors)), ({"page": None}, 1))
        self.assertEqual(str(caught.exception), "BAD_USER_INPUT: `first` must be 1 to 10000 (at page)")
        with self.assertRaises(stedi.BadInputError) as caught:
            self.graphql({"errors": [{"message": "Cannot query field", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]})
        self.assertIsNone(caught.exception.data)
        self.assertEqual(str(caught.exception), "GRAPHQL_VALIDATION_FAILED: Cannot query field")


class ProxyRefusalTest(unittest.TestCase):
    """A proxy in front of the server refusing in HTML, plain text or JSON of its own (no live server needed)."""

    def refuse(self, status, body, headers=None, retry_seconds=0):
        url = fake_server.serve(self, lambda request: (status, body, headers or {}))
        with self.assertRaises(stedi.StediError) as caught:
            stedi.Client(url, "any-key-0123456789abcdef", timeout=5, retry_seconds=retry_seconds).graphql("{ lake { liveVersion } }")
        self.assertEqual(caught.exception.status, status)
        return caught.exception

    def test_a_proxys_401_or_403_is_the_error_a_notebook_catches_for_them_with_the_proxys_own_words(self):
        # Both were a ServerError("HTTP 401 Unauthorized"): `except stedi.AuthenticationError` missed them.
        error = self.refuse(401, b"Unauthorized\n")
        self.assertIsInstance(error, stedi.AuthenticationError)
        self.assertEqual(error.code, "UNAUTHENTICATED")
        self.assertRegex(str(error), r"^UNAUTHENTICATED: HTTP 401 Unauthorized from http://127\.0\.0\.1:\d+, not this API's own answer .*check the key .*STEDI_API_KEY.* It said: 'Unauthorized'$")
        page = b"<html><head><title>401 Authorization Required</title><style>h1{}</style></head><body><h1>401 Authorization Required</h1><hr><center>nginx</center></body></html>"
        self.assertIn("It said: '401 Authorization Required 401 Authorization Required nginx'", str(self.refuse(401, page)))
        error = self.refuse(403, {"message": "Forbidden"})  # API Gateway's JSON, not GraphQL's
        self.assertIsInstance(error, stedi.ForbiddenError)
        self.assertIn("by a rule of its own", str(error))
        self.assertIn("It said: 'Forbidden'", str(error))

    def test_a_proxys_429_is_a_rate_limited_error_and_a_503_a_server_error_saying_to_try_again(self):
        error = self.refuse(429, b"Too Many Requests", {"retry-after": "7"})
        self.assertIsInstance(error, stedi.RateLimitedError)
        self.assertEqual((error.code, error.retry_after), ("RATE_LIMITED", 7.0))
        error = self.refuse(503, b"<html><body>" + b"upstream connect error " * 20 + b"</body></html>")
        self.assertIs(type(error), stedi.ServerError)
        self.assertEqual(error.code, "HTTP_503")  # what a pull asks again for (a proxy's 503 while the server restarts)
        self.assertIn("which may be down, restarting or slow: try again shortly. It said: 'upstream connect error", str(error))
        self.assertTrue(str(error).endswith("…'"), str(error))

    def test_a_404_not_from_the_api_says_to_check_the_url(self):
        error = self.refuse(404, b"<html><body>Not Found</body></html>")
        self.assertEqual((type(error), error.code), (stedi.ServerError, "HTTP_404"))
        self.assertIn("has no such path: check the URL (the client asks for <url>/graphql", str(error))

    def test_the_servers_own_graphql_refusal_keeps_its_code_and_message(self):
        body = {"errors": [{"message": "missing or unknown API key", "extensions": {"code": "UNAUTHENTICATED"}}]}
        error = self.refuse(401, body)
        self.assertIsInstance(error, stedi.AuthenticationError)
        self.assertEqual(str(error), "UNAUTHENTICATED: missing or unknown API key")


class ErrorCodesTest(unittest.TestCase):
    def test_a_server_out_of_reach_is_caught_by_pythons_own_connection_error_too(self):
        # A notebook's `except ConnectionError:` (the built-in, as requests' is an OSError too) missed stedi's.
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{listener.getsockname()[1]}"  # bound, not listening: refused
            with self.assertRaises(ConnectionError) as caught:
                stedi.Client(url, "any-key-0123456789abcdef", timeout=5).graphql("{ lake { liveVersion } }")
        self.assertIsInstance(caught.exception, stedi.ConnectionError)
        self.assertIsInstance(caught.exception, OSError)
        self.assertRegex(str(caught.exception), r"^CONNECTION_FAILED: cannot reach http://127\.0\.0\.1:\d+ \(.*\); is the server running\?$")

    def test_a_rebuild_refused_while_another_runs_is_its_own_error_not_bad_input(self):
        error = stedi.errors.error_for("REBUILD_IN_PROGRESS", "a rebuild under consentPolicy ANY is running (job 3)", "req-1")
        self.assertIsInstance(error, stedi.RebuildInProgressError)
        self.assertNotIsInstance(error, stedi.BadInputError)
        self.assertEqual((error.code, error.request_id), ("REBUILD_IN_PROGRESS", "req-1"))


@needs_server
class ErrorsTest(unittest.TestCase):
    def test_a_wrong_key_is_an_authentication_error_with_the_server_code(self):
        with self.assertRaises(stedi.AuthenticationError) as caught:
            stedi.Client(URL, "not-a-real-key-0123456789").training_set()
        self.assertEqual(caught.exception.code, "UNAUTHENTICATED")
        self.assertIsInstance(caught.exception, stedi.StediError)

    def test_a_key_read_from_a_file_or_copied_with_bearer_works_as_the_key_alone(self):
        for key in (ANALYST_KEY + "\n", f"  {ANALYST_KEY}\r\n", f"Bearer {ANALYST_KEY}", f"bearer  {ANALYST_KEY}\n"):
            self.assertIn("liveVersion", stedi.Client(URL, key).graphql("{ lake { liveVersion } }")["lake"])

    def test_a_key_no_header_can_carry_is_refused_without_quoting_it(self):
        for key in (f"{ANALYST_KEY}\nsecond-line", f"{ANALYST_KEY}\u2026", f"\u201c{ANALYST_KEY}\u201d", f"{ANALYST_KEY[:8]} {ANALYST_KEY[8:]}"):
            with self.assertRaisesRegex(ValueError, "pass the key alone") as caught:
                stedi.Client(URL, key)
            self.assertNotIn(ANALYST_KEY[:8], str(caught.exception))

    def test_a_bad_argument_is_a_bad_input_error(self):
        with self.assertRaises(stedi.BadInputError) as caught:
            stedi.Client(URL, ANALYST_KEY).training_set(page_size=10**9)
        self.assertEqual(caught.exception.code, "BAD_USER_INPUT")

    def test_a_url_with_spaces_or_a_line_break_around_it_as_an_env_file_gives_it_works(self):
        # STEDI_URL="http://host:4000 " from an .env file raised urllib's "Invalid header value".
        with unittest.mock.patch.dict(os.environ, {"STEDI_URL": f"  {URL}/graphql \n", "STEDI_API_KEY": ANALYST_KEY + "\n"}):
            client = stedi.Client()
        self.assertEqual(client.base, URL)
        self.assertIn("liveVersion", client.graphql("{ lake { liveVersion } }")["lake"])

    def test_a_url_without_http_is_refused_at_once_saying_what_to_write(self):
        for url in ("localhost:4000", "127.0.0.1:4000/graphql", "ftp://localhost:4000"):
            with self.assertRaisesRegex(ValueError, "url must start with http:// or https://"):
                stedi.Client(url, ANALYST_KEY)

    def test_an_unreachable_server_is_a_connection_error(self):
        with self.assertRaisesRegex(stedi.ConnectionError, "is the server running"):
            stedi.Client("http://127.0.0.1:9", ANALYST_KEY, timeout=5).customers()

    def test_zz_a_cursor_of_a_version_no_longer_kept_says_to_run_the_pull_again(self):
        # Runs last (zz): it rebuilds the lake until the first page's version has expired.
        client = stedi.Client(URL, ADMIN_KEY)
        first = client.graphql("{ lake { liveVersion } machineLearningSamples(first: 1) { pageInfo { endCursor } } }")
        version, cursor = first["lake"]["liveVersion"], first["machineLearningSamples"]["pageInfo"]["endCursor"]
        for _ in range(10):
            kept = [v["version"] for v in client.graphql("{ lake { versions { version } } }")["lake"]["versions"]]
            if version not in kept:
                break
            job = client.graphql("mutation { rebuildZones { id state } }")["rebuildZones"]
            while job["state"] in ("QUEUED", "RUNNING"):
                time.sleep(0.1)
                job = client.graphql("query ($id: ID!) { rebuildJob(id: $id) { id state } }", {"id": job["id"]})["rebuildJob"]
        with self.assertRaises(stedi.StaleCursorError) as caught:
            client.graphql("query ($after: String) { machineLearningSamples(first: 1, after: $after) { totalCount } }", {"after": cursor}, version)
        self.assertEqual(caught.exception.code, "STALE_CURSOR")
        self.assertIn(f"the lake version this pull started on ({version}) is no longer kept", str(caught.exception))
        self.assertIn("Run the pull again", str(caught.exception))
        # This server saw every rebuild: nobody withdrew, newer builds replaced the version.
        self.assertEqual((caught.exception.reason, caught.exception.discard), ("VERSION_REPLACED", False))


@needs_server
class ReadmeExampleTest(unittest.TestCase):
    """The README's Python client example, as written there, against the live server: with pandas or without it."""

    def test_the_readme_example_runs_as_written(self):
        readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "README.md"), encoding="utf-8").read()
        section = readme[readme.index("## Python client") :]
        example = section[section.index("```python\n") + len("```python\n") : section.index("```", section.index("```python\n") + 3)]
        self.assertIn("client.training_set(", example)
        folder = temporary_folder(self)
        cwd = os.getcwd()
        os.chdir(folder)
        self.addCleanup(os.chdir, cwd)
        printed = []
        exec(example.replace('"http://localhost:4000"', repr(URL)), {"key": ANALYST_KEY, "print": lambda *a: printed.append(a)})
        self.assertTrue(printed[0][0])
        self.assertGreater(os.path.getsize(os.path.join(folder, "train.parquet")), 0)

    def test_plain_rows_carry_the_lake_version_in_attrs_as_a_dataframe_does(self):
        rows = stedi.Client(URL, ANALYST_KEY).training_set(as_frame=False)
        self.assertTrue(rows.lake_version)
        self.assertEqual(rows.attrs, {"lake_version": rows.lake_version})


class CustomersPullAcrossExpiryTest(unittest.TestCase):
    """customers() and readings() pin their first page's version as training_set does (no live server needed)."""

    def test_a_customers_pull_whose_version_expired_names_that_version(self):
        asked = []

        def respond(body):
            if "__type" in body["query"]:  # a server before connections named their lakeVersion
                return {"data": {"__type": {"fields": [{"name": "machineLearningBatch"}]}}}
            asked.append(body["query"])
            if body["variables"]["after"] is None:
                return {"data": {"lake": {"liveVersion": "v7"}, "page": {"edges": [{"node": {"serialNumber": "s1"}}], "pageInfo": {"hasNextPage": True, "endCursor": "c1"}}}}
            return {"data": {"page": None}, "errors": [{"message": "lake version v7 is no longer kept; start again", "extensions": {"code": "STALE_CURSOR"}}]}

        client = stedi.Client(fake_server.serve(self, respond), "any-key-0123456789abcdef", timeout=5)
        with self.assertRaises(stedi.StaleCursorError) as caught:
            client.customers(page_size=1)
        self.assertIn("the lake version this pull started on (v7) is no longer kept", str(caught.exception))
        # Only the first page asks which version is live: the cursor pins it for the rest.
        self.assertEqual(["lake { liveVersion }" in q for q in asked], [True, False])


class PageVersionTest(unittest.TestCase):
    """customers() and readings() take each page's lakeVersion where the server names it (no server needed)."""

    def test_the_version_is_the_one_the_pages_were_read_from_not_the_live_one_asked_beside_them(self):
        asked = []

        def respond(body):
            if "__type" in body["query"]:
                named = {"fields": [{"name": "edges"}, {"name": "lakeVersion"}]}
                return {"data": {"__type": {"fields": [{"name": "machineLearningBatch"}]}, "batch": named, "connection": named}}
            asked.append(body["query"])
            # A rebuild published v9 while the first page was read from v7: "lake { liveVersion }" would say v9.
            page = {"lakeVersion": "v7", "edges": [{"node": {"serialNumber": "s1", "timestamp": 1655564000000, "x": 1, "y": 0, "z": -1}}], "pageInfo": {"hasNextPage": body["variables"]["after"] is None, "endCursor": "c1"}}
            return {"data": {"lake": {"liveVersion": "v9"}, "page": page}}

        client = stedi.Client(fake_server.serve(self, respond), "any-key-0123456789abcdef", timeout=5)
        self.assertEqual(client.customers(page_size=1).lake_version, "v7")
        self.assertEqual(client.readings("s1", page_size=1).lake_version, "v7")
        self.assertTrue(all("lakeVersion" in q and "liveVersion" not in q for q in asked), asked)


class BatchVersionTest(unittest.TestCase):
    """training_batches names the version each page was read from, resumed from a cursor's text too (no server needed)."""

    def serve(self, batch_fields):
        asked = []

        def respond(body):
            asked.append(body["query"])
            if "__type" in body["query"]:
                batch = {"fields": [{"name": f} for f in batch_fields]} if batch_fields is not None else None
                return {"data": {"__type": {"fields": [{"name": "machineLearningBatch"}]}, "batch": batch}}
            columns = {"serialNumber": ["s1"], "sensorReadingTime": [1], "distanceFromObject": [2], "x": [1], "y": [0], "z": [-1]}
            # The cursor was issued on v7; a rebuild since made v9 live.
            after = body["variables"]["after"]
            page = {"rowCount": 1, "columns": columns, "pageInfo": {"hasNextPage": after in (None, "c1"), "endCursor": "c2" if after in (None, "c1") else "c3"}}
            if "lakeVersion" in body["query"]:
                page["lakeVersion"] = "v7"
            if "totalCount" in body["query"]:
                page["totalCount"] = 2
            data = {"page": page}
            if "lake { liveVersion }" in body["query"]:
                data["lake"] = {"liveVersion": "v9"}
            return {"data": data}

        return stedi.Client(fake_server.serve(self, respond), "any-key-0123456789abcdef", timeout=5), asked

    def test_a_pull_resumed_after_a_cursors_text_names_the_version_the_cursor_pinned_not_the_live_one(self):
        client, asked = self.serve(["rowCount", "columns", "pageInfo", "lakeVersion"])
        batches = list(client.training_batches(after="c1", as_frame=False))
        self.assertEqual([(b.lake_version, b.attrs["lake_version"]) for b in batches], [("v7", "v7"), ("v7", "v7")])
        self.assertFalse(any("liveVersion" in q for q in asked))

    def test_a_server_before_lakeversion_is_asked_which_version_is_live_on_a_first_page_only(self):
        for fields in (["rowCount", "columns", "pageInfo"], None):
            client, asked = self.serve(fields)
            self.assertEqual(client.training_set(as_frame=False).lake_version, "v9")
            self.assertEqual([b.lake_version for b in client.training_batches(after="c1", as_frame=False)], [None, None])
            self.assertFalse(any("lakeVersion" in q for q in asked))

    def test_the_pulls_row_count_is_asked_on_the_first_page_read_only_and_is_none_from_a_server_before_it(self):
        client, asked = self.serve(["rowCount", "columns", "pageInfo", "lakeVersion", "totalCount"])
        self.assertEqual([(b.total_count, b.attrs["total_count"]) for b in client.training_batches(after="c1", as_frame=False)], [(2, 2), (2, 2)])
        self.assertEqual(["totalCount" in q for q in asked if "machineLearningBatch(" in q], [True, False])
        client, asked = self.serve(["rowCount", "columns", "pageInfo", "lakeVersion"])
        self.assertEqual([b.total_count for b in client.training_batches(as_frame=False)], [None, None])
        self.assertFalse(any("totalCount" in q for q in asked))


class PullErrorPathTest(unittest.TestCase):
    """A pull's error names the field it pulled, not the client's own alias for it (no server needed)."""

    def test_an_error_of_a_pulls_page_is_at_the_field_the_pull_reads(self):
        def respond(body):
            if "__type" in body["query"]:
                return {"data": {"__type": {"fields": [{"name": "machineLearningBatch"}]}}}
            return {"data": {"page": None}, "errors": [{"message": "the `after` cursor of machineLearningBatch was issued with another `filter` argument", "path": ["page"], "extensions": {"code": "BAD_USER_INPUT"}}]}

        client = stedi.Client(fake_server.serve(self, respond), "any-key-0123456789abcdef", timeout=5)
        for pull, field in ((lambda: list(client.training_batches(after="c1")), "machineLearningBatch"), (lambda: client.customers(), "customers")):
            with self.assertRaises(stedi.BadInputError) as caught:
                pull()
            self.assertEqual(caught.exception.errors[0].path, (field,))
            self.assertTrue(str(caught.exception).endswith(f"(at {field})"), str(caught.exception))


class ReadingWindowTest(unittest.TestCase):
    """A pull's device and time window, checked and said as the server's filter (no server needed)."""

    def test_a_time_is_epoch_milliseconds_a_datetime_utc_when_naive_a_date_or_iso_text(self):
        from stedi.reading_window import epoch_ms

        ms = 1655564340123
        aware = datetime.datetime(2022, 6, 18, 14, 59, 0, 123456, tzinfo=datetime.timezone.utc)
        paris = aware.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
        for value in (ms, aware, paris, aware.replace(tzinfo=None), "2022-06-18T14:59:00.123Z", "2022-06-18T16:59:00.123456+02:00"):
            self.assertEqual(epoch_ms(value, "start"), ms, value)
        self.assertEqual(epoch_ms(datetime.date(2022, 6, 18), "end"), 1655510400000)
        self.assertEqual(epoch_ms(datetime.datetime(1969, 12, 31, 23, 59, 59, 999500), "end"), -1)
        for bad in ("yesterday", 1.5e12, None, [1], float("nan")):
            with self.assertRaisesRegex(ValueError, r"^start must be epoch milliseconds, a datetime or ISO 8601 text"):
                epoch_ms(bad, "start")

    def test_a_whole_number_that_reads_as_seconds_is_refused_before_a_request_as_the_server_refuses_it(self):
        from stedi.reading_window import epoch_ms

        # Sent as milliseconds, start=1655564000 matched every row and end=1655564000 none.
        for name, value in (("start", 1655564000), ("end", 1), ("end", 10**11 - 1)):
            with self.assertRaisesRegex(ValueError, rf"^{name} must be epoch milliseconds; received {value}, which reads as seconds: pass {value * 1000}"):
                epoch_ms(value, name)
        with self.assertRaisesRegex(ValueError, "received 1655564000, which reads as seconds"):
            stedi.Client("http://127.0.0.1:9", "any-key-0123456789abcdef").readings("s1", start=1655564000)
        # 0, negatives (the same in either unit) and 10^11 on are milliseconds.
        for value in (0, -5, 10**11, 1655564000000):
            self.assertEqual(epoch_ms(value, "start"), value)

    def test_the_window_is_the_servers_filter_and_one_that_cannot_match_is_refused_before_a_request(self):
        from stedi.reading_window import window_arguments

        self.assertEqual(window_arguments(), ("", "", {}))
        self.assertEqual(window_arguments("s1", end="1970-01-01T00:00:01Z"), (", filter: { serialNumber: $serial, to: $to }", ", $serial: String, $to: SafeInt", {"serial": "s1", "to": 1000}))
        with self.assertRaisesRegex(ValueError, r"^start \(1655564000002\) is after end \(1655564000001\)"):
            stedi.Client("http://127.0.0.1:9", "any-key-0123456789abcdef").training_set(start=1655564000002, end=1655564000001)
        with self.assertRaisesRegex(ValueError, "readings needs the serial of one device"):
            stedi.Client("http://127.0.0.1:9", "any-key-0123456789abcdef").readings(None)


class StaleCursorMessageTest(unittest.TestCase):
    """What a STALE_CURSOR tells the user, by its cause (no server needed)."""

    def test_a_consent_change_mid_pull_says_to_discard_the_rows_read_and_pull_again(self):
        error = stedi.errors.error_for("STALE_CURSOR", "consent changed since this pull of machineLearningBatch began (...)", "req-1", "v1")
        self.assertIsInstance(error, stedi.StaleCursorError)
        self.assertIn("consent changed while you paged the lake version this pull started on (v1)", str(error))
        self.assertIn("Discard those rows and run the pull again", str(error))
        self.assertNotIn("no longer kept", str(error))

    def test_a_version_no_longer_kept_says_so(self):
        error = stedi.errors.error_for("STALE_CURSOR", "lake version v1 is no longer kept; start again", None, "v1")
        self.assertIn("the lake version this pull started on (v1) is no longer kept", str(error))
        # A server before reasons cannot say it was not for consent: privacy first.
        self.assertTrue(error.discard)

    def test_the_servers_reason_says_whether_the_rows_read_must_be_discarded_or_the_pull_only_run_again(self):
        def stale(reason, message="lake version v1 is no longer kept: ..."):
            return stedi.errors.error_for("STALE_CURSOR", message, "req-1", "v1", reason=reason)

        erased = stale("CONSENT_ERASURE")
        self.assertEqual((erased.reason, erased.discard), ("CONSENT_ERASURE", True))
        self.assertIn("was expired early to erase customers whose consent for research was withdrawn", str(erased))
        self.assertIn("Discard those rows and run the pull again", str(erased))
        changed = stale("CONSENT_CHANGED", "consent changed since this pull of customers began (...)")
        self.assertTrue(changed.discard)
        self.assertIn("Discard those rows", str(changed))
        replaced = stale("VERSION_REPLACED")
        self.assertFalse(replaced.discard)
        self.assertIn("is no longer kept", str(replaced))
        self.assertNotIn("withdrew", str(replaced))
        unknown = stale("VERSION_EXPIRED")
        self.assertIn("withdrew consent (the server cannot tell which: to be safe, discard the rows already read)", str(unknown))
        self.assertTrue(unknown.discard)
        split = stale("SPLIT_CHANGED", "the split percentages (STEDI_SPLIT) changed since this pull of machineLearningBatch began")
        self.assertFalse(split.discard)
        self.assertIn("this pull cannot go on (SPLIT_CHANGED)", str(split))
        self.assertNotIn("no longer kept", str(split))


if __name__ == "__main__":
    unittest.main()
