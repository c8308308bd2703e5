"""Shared pydantic field types.

``SafeStr`` refuses NUL bytes and control characters that databases and logs mishandle.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints


def _no_control_chars(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Строка содержит недопустимый символ NUL")
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("Строка содержит управляющие символы")
    return value


SafeStr = Annotated[str, AfterValidator(_no_control_chars)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_control_chars),
]
ShortText = Annotated[str, StringConstraints(max_length=1000), AfterValidator(_no_control_chars)]


class StrictModel(BaseModel):
    """Input schemas: unknown fields are refused so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ReadModel(BaseModel):
    """Output schemas built from ORM objects."""

    model_config = ConfigDict(from_attributes=True)
