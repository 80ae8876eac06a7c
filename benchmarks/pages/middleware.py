"""``X-Bench-Queries``: the number of SQL queries a request made (benchmark settings only)."""

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse


class QueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = [0]

        def counter(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
            if getattr(response, "streaming", False):  # queries made while streaming are not counted
                response["X-Bench-Queries-Streaming"] = "1"
        response["X-Bench-Queries"] = str(count[0])
        return response
