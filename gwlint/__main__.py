"""``python -m gwlint``."""

from gwlint.cli import run

if __name__ == "__main__":
    run()
