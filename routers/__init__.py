"""Thin HTTP adapters. Every router carries its full path under `API_PREFIX`."""

API_PREFIX = "/api/v1"
