"""Shared pydantic field types.

``SafeStr`` refuses NUL bytes and control characters that databases and logs mishandle.
It is a plain string schema with a pattern, not a validator function, so that the
constraints a field adds on top (``Annotated[SafeStr, StringConstraints(strip_whitespace=
True, min_length=1)]``) compose in the right order: whitespace is stripped before the
length is checked, and a blank title is refused. The pattern also tells clients (and the
contract tests) which strings are acceptable.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

# Tab, LF and CR are allowed; every other C0 control character (NUL first) is not.
SAFE_STRING_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"

SafeStr = Annotated[str, StringConstraints(pattern=SAFE_STRING_PATTERN)]
Name = Annotated[SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[SafeStr, StringConstraints(max_length=1000)]


class StrictModel(BaseModel):
    """Input schemas: unknown fields are refused so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ReadModel(BaseModel):
    """Output schemas built from ORM objects."""

    model_config = ConfigDict(from_attributes=True)
