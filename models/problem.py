"""The RFC 9457 problem document every error answer uses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ProblemFieldError(BaseModel):
    model_config = ConfigDict(extra="allow")

    detail: str = Field(description="What is wrong with this field.")
    type: str = Field(description="A short machine-readable kind of error.")
    pointer: str | None = Field(
        default=None, description="RFC 6901 JSON pointer into the request body."
    )
    parameter: str | None = Field(default=None, description="Query or path parameter name.")
    header: str | None = Field(default=None, description="Request header name.")


class Problem(BaseModel):
    """An error answer (`application/problem+json`, RFC 9457)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="URI identifying the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str | None = Field(default=None, description="What went wrong this time.")
    instance: str | None = None
    errors: list[ProblemFieldError] | None = Field(
        default=None, description="Field-level errors, each with a pointer."
    )
