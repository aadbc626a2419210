"""Output formats. Each reporter turns a ``Report`` into text."""

from __future__ import annotations

FORMATS = ("text", "json", "sarif", "github")
