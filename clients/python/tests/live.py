"""The live server the tests talk to: npm test starts one and passes its address and keys."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

URL = os.environ.get("STEDI_TEST_URL")
ANALYST_KEY = os.environ.get("STEDI_TEST_ANALYST_KEY")
ADMIN_KEY = os.environ.get("STEDI_TEST_ADMIN_KEY")

needs_server = unittest.skipUnless(URL and ANALYST_KEY and ADMIN_KEY, "set STEDI_TEST_URL, STEDI_TEST_ANALYST_KEY and STEDI_TEST_ADMIN_KEY (npm test does)")
