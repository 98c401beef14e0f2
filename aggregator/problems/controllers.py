"""`GET /problems` and `GET /problems/{code}`: what each stable error code means and what to do about it."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath

from aggregator.auth.scopes import PUBLIC
from aggregator.http import errors
from aggregator.http.errors import CATALOGUE, ApiError
from schemas import ErrorCodeInfo


def _info(code: errors.ErrorCode) -> ErrorCodeInfo:
    return ErrorCodeInfo(code=code.code, status=code.status, title=code.title, description=code.description)


class ProblemController(Controller):
    path = "/problems"
    tags = ["Service"]
    security = [{}]  # no API key: an empty requirement
    opt = {PUBLIC: True}

    @get(operation_id="ListErrorCodes", summary="List every error code")
    async def list_codes(self) -> list[ErrorCodeInfo]:
        return [_info(code) for code in sorted(CATALOGUE.values(), key=lambda code: (code.status, code.code))]

    @get("/{code:str}", operation_id="GetErrorCode", summary="Describe one error code")
    async def get_code(self, code: FromPath[str]) -> ErrorCodeInfo:
        if code not in CATALOGUE:
            raise ApiError(errors.PROBLEM_NOT_FOUND, f"There is no error code {code!r}.")
        return _info(CATALOGUE[code])
