"""gwlint: cross-checks nginx against the Python app server behind it."""

try:
    # written by hatch-vcs when gwlint is built or installed (editable installs too): the git tag
    # (1.2.3) or, between tags, a dev version naming the commit (1.2.4.dev3+g1a2b3c4)
    from gwlint._version import __version__ as __version__
except ImportError:  # a source tree on sys.path that was never built nor installed
    # pyproject.toml's fallback-version: no git metadata was read, so no release is claimed
    __version__ = "0.1.0.dev0"
