"""``python -m gwlint``."""

from gwlint.cli import main

if __name__ == "__main__":
    main()
