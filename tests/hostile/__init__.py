"""Hostile inputs: the reproducers of an attack on gwlint, as a pull-request author would try.

Each case writes its files into a fresh folder (``repo/``, with ``outside/`` beside it holding a
secret that must never be printed) and says how gwlint is run. ``tests/test_hostile.py`` runs
every case in a child process under resource limits and checks the result; ``python
tests/bench/hostile.py`` measures each one against the goal (2 s, 200 MB).
"""
