import unittest

from tests.live import ANALYST_KEY, URL, needs_server

import stedi
from stedi.frames import has_pandas, training_frame

DTYPES = {"serialNumber": "object", "sensorReadingTime": "int64", "distanceFromObject": "int64", "x": "float64", "y": "float64", "z": "float64"}


@unittest.skipUnless(has_pandas(), "pandas is not installed")
class PandasTest(unittest.TestCase):
    def assert_dtypes(self, frame):
        self.assertEqual({c: str(frame[c].dtype) for c in DTYPES}, DTYPES)
        self.assertEqual(str(frame["sensorReadingDatetime"].dtype), "datetime64[ns, UTC]")

    def test_an_empty_result_has_the_same_dtypes(self):
        self.assert_dtypes(training_frame({name: [] for name in DTYPES}, None, True))

    def test_a_time_pandas_cannot_hold_is_nat_with_a_warning_and_the_rest_is_kept(self):
        times = [-62135596800000, 1655564377674, 9007199254740991]  # year 1, 2022, year 287396
        columns = {"serialNumber": ["a", "a", "a"], "sensorReadingTime": times, "distanceFromObject": [1, 2, 3], "x": [0.5] * 3, "y": [0.0] * 3, "z": [1.0] * 3}
        with self.assertWarnsRegex(UserWarning, "2 rows have a sensorReadingTime outside the years 1677-2262"):
            frame = training_frame(columns, "v", True)
        self.assert_dtypes(frame)
        self.assertEqual(list(frame["sensorReadingTime"]), times)
        self.assertEqual(list(frame["sensorReadingDatetime"].isna()), [True, False, True])
        self.assertEqual(frame["sensorReadingDatetime"][1].value // 1_000_000, times[1])

    def test_a_missing_time_nat_is_refused_naming_the_argument_before_anything_is_sent(self):
        import pandas

        # NaT is a datetime to Python: its arithmetic gave NaN, sent as JSON the server refused as a broken body.
        client = stedi.Client("http://127.0.0.1:9", "any-key-0123456789abcdef")
        for name in ("start", "end"):
            with self.subTest(name=name), self.assertRaisesRegex(ValueError, rf"^{name} is NaT, not a time \(a missing value\): pass a time, or leave {name} out$"):
                client.training_set(**{name: pandas.NaT})
        import numpy

        for missing in (numpy.datetime64("NaT"),):
            with self.assertRaisesRegex(ValueError, r"^start is numpy.datetime64\('NaT'\), not a time"):
                client.training_set(start=missing)
        with self.assertRaisesRegex(ValueError, "NaN or infinity"):
            client.graphql("query ($f: Float) { lake { liveVersion } }", {"f": pandas.Series([float("nan")])[0]})

    def test_a_time_from_a_frame_as_numpy_holds_it_is_taken_as_utc(self):
        import numpy

        from stedi.reading_window import epoch_ms

        # A column's .values or .to_numpy() gives numpy.datetime64, refused before as "must be epoch milliseconds, a datetime…".
        times = pandas_frame_times()
        self.assertEqual([epoch_ms(t, "start") for t in times], [1655564340123, 1655564340000])
        self.assertEqual(epoch_ms(numpy.datetime64("2022-06-18T14:59:00.123456789"), "end"), 1655564340123)

    @needs_server
    def test_the_training_set_is_a_dataframe_with_stable_dtypes_and_its_lake_version(self):
        frame = stedi.Client(URL, ANALYST_KEY).training_set(split="TRAIN", page_size=1)
        self.assert_dtypes(frame)
        self.assertGreater(len(frame), 0)
        self.assertTrue(frame.attrs["lake_version"])
        first = frame.iloc[0]
        self.assertEqual(first["sensorReadingDatetime"].value // 1_000_000, first["sensorReadingTime"])

    @needs_server
    def test_training_batches_are_dataframes_with_their_cursor_that_concatenate_to_the_training_set(self):
        import pandas

        client = stedi.Client(URL, ANALYST_KEY)
        batches = list(client.training_batches("TRAIN", page_size=1))
        for batch in batches:
            self.assert_dtypes(batch)
            self.assertTrue(batch.attrs["cursor"])
        whole = pandas.concat(batches, ignore_index=True)
        self.assertTrue(whole.equals(client.training_set("TRAIN")))
        self.assertEqual({batch.attrs["total_count"] for batch in batches}, {len(whole)})
        rest = list(client.training_batches("TRAIN", page_size=1, after=batches[0]))
        self.assertTrue(pandas.concat(batches[:1] + rest, ignore_index=True).equals(whole))

    @needs_server
    def test_numpy_whole_numbers_are_taken_as_page_size_seed_and_graphql_variables(self):
        # page_size=np.int64(2) was refused as "not a whole number"; a numpy variable raised json's "not JSON serializable".
        # (numpy before 2 writes numpy.True_ as True.)
        import numpy

        client = stedi.Client(URL, ANALYST_KEY)
        self.assertEqual(len(client.training_set(page_size=numpy.int64(1), as_frame=False)), len(client.training_set(as_frame=False)))
        self.assertEqual(list(client.training_set("TRAIN", seed=numpy.int32(7), as_frame=False)), list(client.training_set("TRAIN", seed=7, as_frame=False)))
        count = client.graphql("query ($n: Int!, $from: SafeInt) { customers(first: $n) { edges { cursor } } stepTrainerReadings(filter: { from: $from }) { totalCount } }", {"n": numpy.int64(1), "from": numpy.float64(0)})
        self.assertEqual(len(count["customers"]["edges"]), 1)
        with self.assertRaisesRegex(ValueError, r"page_size must be a whole number of at least 1; received (np\.)?True_?$"):
            client.training_set(page_size=numpy.bool_(True))


    @needs_server
    def test_exports_read_back_with_pandas_as_the_readme_says_are_the_training_set(self):
        # The README's lines (Bulk export, "Reading an export back"): read_json made the NDJSON's x, y, z (-1.0, 0.0) int64.
        import os
        import tempfile

        import pandas

        client = stedi.Client(URL, ANALYST_KEY)
        expected = client.training_set()[list(DTYPES)]
        with tempfile.TemporaryDirectory() as folder:
            csv, ndjson = os.path.join(folder, "train.csv"), os.path.join(folder, "train.ndjson")
            self.assertEqual(client.export(csv), len(expected))
            self.assertEqual(client.export(ndjson), len(expected))
            frames = {
                "csv": pandas.read_csv(csv, dtype={"serialNumber": str}),
                "ndjson": pandas.read_json(ndjson, lines=True, dtype={"serialNumber": str, "x": "float64", "y": "float64", "z": "float64"}),
            }
            try:
                import pyarrow  # noqa: F401 (pandas reads Parquet with it)

                parquet = os.path.join(folder, "train.parquet")
                client.export(parquet)
                frames["parquet"] = pandas.read_parquet(parquet)
            except ImportError:
                pass
        for name, frame in frames.items():
            self.assertEqual({c: str(frame[c].dtype) for c in DTYPES}, DTYPES, name)
            self.assertTrue(frame.equals(expected), name)


if __name__ == "__main__":
    unittest.main()


def pandas_frame_times():
    import pandas

    frame = pandas.DataFrame({"t": pandas.to_datetime([1655564340123, 1655564340000], unit="ms")})
    return list(frame["t"].to_numpy())
