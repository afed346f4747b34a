"""The one error family services raise: a Chinese message for the user, an HTTP status for the edge."""

from __future__ import annotations


class AppError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The form field the error belongs next to, when there is one.
        self.field = field


class NotFound(AppError):
    status_code = 404


class Forbidden(AppError):
    status_code = 403


class LoginRequired(AppError):
    status_code = 401


class Conflict(AppError):
    status_code = 409


class TooManyAttempts(AppError):
    status_code = 429

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class InvalidInput(AppError):
    """Several field errors at once, so a form can show each next to its field."""

    status_code = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors
