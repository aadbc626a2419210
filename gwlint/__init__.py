"""gwlint: cross-checks nginx against the Python app server behind it."""

__version__ = "0.1.0"
