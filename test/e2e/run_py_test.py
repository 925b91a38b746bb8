"""Runs the unittest tests of one test_*.py file for ctest. Exits 0 when every test passed,
1 when one failed or none ran, and 77 (the tests' SKIP_RETURN_CODE) when none failed but one
was skipped, so that ctest counts the file as skipped, not as passed.

    python3 run_py_test.py path/to/test_name.py"""

import os
import sys
import unittest

SKIPPED = 77


def main(path):
    directory, file_name = os.path.split(os.path.abspath(path))
    sys.path.insert(0, directory)
    suite = unittest.defaultTestLoader.loadTestsFromName(os.path.splitext(file_name)[0])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        return 1
    if result.testsRun == 0:
        print("no test ran", file=sys.stderr)
        return 1
    if result.skipped:
        print(f"{len(result.skipped)} of {result.testsRun} skipped: reported to ctest as skipped", file=sys.stderr)
        return SKIPPED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
