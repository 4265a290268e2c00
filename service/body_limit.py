"""A cap on request bodies, enforced before the application reads them.

A declared ``Content-Length`` over the cap is refused at once; a chunked body is counted
while it streams in and refused as soon as it passes the cap, so no request makes the
service buffer more than the cap.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http_errors import BodyTooLarge, RequestRefused, refused_response


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            declared = _content_length(scope)
        except ValueError:
            refusal = RequestRefused(400, "Content-Length is not a number")
            await refused_response(refusal)(scope, receive, send)
            return
        if declared is not None and declared > self.max_body_bytes:
            await refused_response(BodyTooLarge(self.max_body_bytes))(scope, receive, send)
            return

        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge as refusal:
            # The GraphQL view answers this itself; this catches a reader that does not.
            if response_started:
                raise
            await refused_response(refusal)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            if not text.isdigit():
                raise ValueError(text)
            return int(text)
    return None
