"""Temporary folders that a test removes when it ends, whatever its outcome."""
import shutil
import tempfile


def temporary_folder(test, prefix="stedi-py-"):
    folder = tempfile.mkdtemp(prefix=prefix)
    # Exports write whole training sets: left behind, a run's files add up in /tmp.
    test.addCleanup(shutil.rmtree, folder, True)
    return folder
