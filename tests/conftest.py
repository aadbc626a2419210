"""Shared test helpers: run the real CLI in-process, in a folder, and capture what it prints."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# property tests: in CI the same examples every run (a red CI is a real regression, replayable);
# elsewhere hypothesis explores new ones
if os.environ.get("CI"):
    from hypothesis import settings as _hypothesis

    _hypothesis.register_profile("ci", derandomize=True, database=None)
    _hypothesis.load_profile("ci")
FIXTURES = ROOT / "fixtures"


def _corpus() -> Path:
    """../shared/corpus beside the checkout; GWLINT_CORPUS or /work/shared/corpus elsewhere."""
    candidates = [ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus")]
    if os.environ.get("GWLINT_CORPUS"):
        candidates.insert(0, Path(os.environ["GWLINT_CORPUS"]))
    return next((c for c in candidates if c.is_dir()), candidates[0])


CORPUS = _corpus()
# the same deployments' other files (Dockerfiles, start scripts, env files, manifests...), and
# the findings on the corpus judged by hand: beside the corpus
CORPUS_NEXT = CORPUS.parent / "corpus-next"
JUDGED = CORPUS.parent / "reference" / "corpus-judged.tsv"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-fixtures",
        action="store_true",
        help="rewrite fixtures/*/*/expected.txt from gwlint's current output",
    )


@dataclass
class Run:
    code: int
    out: str
    err: str


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def gwlint(*args: str, cwd: Path | None = None) -> Run:
    """``gwlint ARGS`` through the real entry point; never raises SystemExit."""
    from gwlint.cli import main

    out, err = io.StringIO(), io.StringIO()
    with chdir(cwd or Path.cwd()), redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main() always exits
            code = 0
    return Run(code=code, out=out.getvalue(), err=err.getvalue())


def corpus_or_skip() -> Path:
    if CORPUS.is_dir():
        return CORPUS
    if os.environ.get("CI"):
        pytest.fail(f"{CORPUS} is missing, and CI is set: the corpus sweep must run")
    pytest.skip(f"{CORPUS} is absent (the corpus sweep runs where it exists)")


def corpus_repositories() -> list[str]:
    """Every OWNER__REPO of the corpus and of its corpus-next part."""
    roots = [corpus_or_skip(), CORPUS_NEXT]
    return sorted(
        {p.name for root in roots if root.is_dir() for p in root.iterdir() if "__" in p.name}
    )


def merged_repository(name: str, into: Path) -> Path:
    """A copy of a repository as the corpus and corpus-next parts make it up together (both
    are read-only: gwlint runs in the copy, as a user runs it in a checkout)."""
    import shutil

    target = into / name
    target.mkdir(parents=True)
    for root in (CORPUS, CORPUS_NEXT):
        source = root / name
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True, symlinks=True)
    return target
