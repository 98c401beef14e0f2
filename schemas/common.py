"""Types shared by several resources: pages of results, resource errors and warnings, problems."""

from __future__ import annotations

from typing import Generic, TypeVar

from schemas.base import AwareDatetime, WireStruct

T = TypeVar("T")


class Page(WireStruct, Generic[T]):
    """One page of a list; pass `next_cursor` back as `?cursor=` for the next page (null on the last)."""

    data: list[T]
    next_cursor: str | None


class ResourceIssue(WireStruct):
    """An error or warning attached to a resource (Seam's `{error_code, message, created_at}` shape)."""

    error_code: str
    message: str
    created_at: AwareDatetime


class FieldError(WireStruct):
    """One invalid input field in a validation problem."""

    field: str
    message: str


class ErrorCodeInfo(WireStruct):
    """One stable error `code`: its HTTP status, title and what a client should do about it."""

    code: str
    status: int
    title: str
    description: str


class Problem(WireStruct):
    """An RFC 9457 problem document; `code` is stable and safe to branch on."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str
    errors: list[FieldError] | None = None
