"""End-to-end lab: gwlint's rules checked on real nginx, gunicorn and uWSGI (see harness.py)."""
