"""nginx time and size values, parsed exactly as nginx parses them (rules-research.md §1.1)."""

from __future__ import annotations

import pytest

from gwlint.model.units import format_ms, format_size, parse_size, parse_time, uwsgi_number


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("60s", 60_000),
        ("90", 90_000),  # a bare number is seconds
        ("1m30s", 90_000),
        ("1h 30m", 5_400_000),  # quoted in nginx.conf: one argument with a space
        ("500ms", 500),
        ("1s500ms", 1_500),
        ("2h", 7_200_000),
        ("1d", 86_400_000),
        ("1w", 604_800_000),
        ("0", 0),
    ],
)
def test_time_msec_slot(text: str, ms: int) -> None:
    assert parse_time(text) == ms


@pytest.mark.parametrize(
    "text",
    ["1.5s", "30s1m", "1y", "1M", "", "s", "-5s", "10x", "ms", "60S"],
)
def test_time_msec_slot_invalid(text: str) -> None:
    """What `nginx -t` rejects with 'invalid value' (observed on 1.22.1)."""
    assert parse_time(text) is None


def test_time_sec_slot() -> None:
    assert parse_time("30s", sec=True) == 30
    assert parse_time("1y", sec=True) == 365 * 86400
    assert parse_time("500ms", sec=True) is None  # fail_timeout=500ms: invalid parameter


def test_time_overflow_is_invalid() -> None:
    assert parse_time("9" * 40) is None


@pytest.mark.parametrize(
    ("text", "size"),
    [("4k", 4096), ("8K", 8192), ("1m", 1048576), ("1M", 1048576), ("512", 512)],
)
def test_size(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_size_g_only_for_offsets() -> None:
    assert parse_size("1g") is None  # proxy_buffer_size 1g: invalid
    assert parse_size("1g", offset=True) == 1024**3  # client_max_body_size 1g: fine
    assert parse_size("0", offset=True) == 0
    assert parse_size("1.5m") is None
    assert parse_size("") is None


def test_formatting() -> None:
    assert format_ms(60_000) == "60s"
    assert format_ms(1_500) == "1500ms"
    assert format_size(8192) == "8k"
    assert format_size(1048576) == "1m"
    assert format_size(1000) == "1000"


@pytest.mark.parametrize(
    ("text", "number"),
    [("32k", 32), ("1M", 1), ("60s", 60), ("4096", 4096), ("  12", 12), ("true", 0), ("", 0)],
)
def test_uwsgi_reads_numbers_with_atoi(text: str, number: int) -> None:
    """uWSGI numbers take no unit suffix: strtoul('32k') == 32 (observed E10/E11)."""
    assert uwsgi_number(text) == number
