"""Bot API error envelopes."""

from __future__ import annotations

from typing import Any

Envelope = dict[str, Any]


class ApiError(Exception):
    """A Bot API method failure; ``call`` turns it into an error envelope."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> Envelope:
        return error_envelope(self.status, self.description, retry_after=self.retry_after)


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def error_envelope(status: int, description: str, *, retry_after: int | None = None) -> Envelope:
    body: Envelope = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


def ok_envelope(result: Any) -> Envelope:
    return {"ok": True, "result": result}
