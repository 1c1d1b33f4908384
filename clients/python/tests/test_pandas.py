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

    @needs_server
    def test_the_training_set_is_a_dataframe_with_stable_dtypes_and_its_lake_version(self):
        frame = stedi.Client(URL, ANALYST_KEY).training_set(split="TRAIN", page_size=1)
        self.assert_dtypes(frame)
        self.assertGreater(len(frame), 0)
        self.assertTrue(frame.attrs["lake_version"])
        first = frame.iloc[0]
        self.assertEqual(first["sensorReadingDatetime"].value // 1_000_000, first["sensorReadingTime"])


if __name__ == "__main__":
    unittest.main()
