"""Schemas of the sign-in and token endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class TokenResponse(BaseModel):
    access_token: str = Field(description="Bearer token for the API, valid 15 minutes or less.")
    token_type: str = Field(default="bearer")
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(description="Single-use token for `POST /auth/refresh`.")
    refresh_expires_at: datetime


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=4096)
