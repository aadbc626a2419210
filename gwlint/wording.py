"""gwlint's own words for what its libraries say: pydantic's validation messages, as typer's
option conversion and the configuration file's model report them."""

from __future__ import annotations

_WORDING = (
    ("Input should be a valid integer, unable to parse string as an integer", "not a whole number"),
    ("Input should be a valid integer, got a number with a fractional part", "not a whole number"),
    ("Input should be a valid integer", "not a whole number"),
    ("Input should be a valid string", "not a string"),
    ("Input should be a valid boolean", "not true or false"),
    ("Input should be a valid list", "not a list"),
    ("Input should be a valid dictionary", "not a table"),
    ("Input should be greater than or equal to", "must be at least"),
    ("Input should be less than or equal to", "must be at most"),
    ("Input should be ", "must be "),
    # a validator's own ValueError, which pydantic prefixes
    ("Value error, ", ""),
)


def own_words(text: str) -> str:
    for theirs, ours in _WORDING:
        text = text.replace(theirs, ours)
    return text
