"""tests/fuzz holds the shared fuzz properties (tests/test_fuzz.py runs them, bounded) and the
long run, ``python tests/fuzz/run.py --examples N``: a script, never collected by pytest."""

collect_ignore = ["run.py"]
