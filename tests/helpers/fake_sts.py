"""Small fake endpoints on 127.0.0.1 for the verification tests (issue 17 §6, §2, §4): one that hangs, one that
fails with 500, one that answers 200 with a page that is not STS, and an STS that accepts only requests signed
for one region (a key that lives in one partition). Each records the headers it received.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCOUNT = "123456789012"
_IDENTITY = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>{arn}</Arn><UserId>AIDAEXAMPLEUSERID0001</UserId><Account>{account}</Account>
</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"""
_ERROR = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>
<Code>{code}</Code><Message>{message}</Message></Error><RequestId>1</RequestId></ErrorResponse>"""


class FakeEndpoint:
    """`mode`: hang, error500, throttle, not-sts, region:<name> (STS that knows the key only when signed for it), or
    commercial-only (an STS of the commercial partition that knows no key: it refuses other regions' scopes)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.headers: list[dict[str, str]] = []
        self.release = threading.Event()  # lets hanging handlers go at stop()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the name http.server calls
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                endpoint.headers.append(dict(self.headers.items()))
                status, body = endpoint.answer(self.headers.get("Authorization", ""))
                if status == 0:
                    endpoint.release.wait(60)
                    return
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml" if body.startswith("<") else "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # the base signature
                pass

        return Handler

    def answer(self, authorization: str) -> tuple[int, str]:
        if self.mode == "hang":
            return 0, ""
        if self.mode == "error500":
            return 500, _ERROR.format(code="InternalFailure", message="try later")
        if self.mode == "throttle":
            return 400, _ERROR.format(code="Throttling", message="Rate exceeded")
        if self.mode == "not-sts":
            return 200, "<!doctype html><html><body>Welcome to nginx!</body></html>"
        if self.mode == "commercial-only" and "/us-east-1/sts/aws4_request" not in authorization:
            return 403, _ERROR.format(
                code="SignatureDoesNotMatch", message="Credential should be scoped to a valid region."
            )
        region = self.mode.removeprefix("region:")
        if f"/{region}/sts/aws4_request" in authorization:
            partition = "aws-us-gov" if region.startswith("us-gov-") else "aws"
            return 200, _IDENTITY.format(arn=f"arn:{partition}:iam::{ACCOUNT}:user/gov", account=ACCOUNT)
        return 403, _ERROR.format(
            code="InvalidClientTokenId", message="The security token included in the request is invalid."
        )

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def fake_endpoint(mode: str) -> Iterator[FakeEndpoint]:
    endpoint = FakeEndpoint(mode)
    try:
        yield endpoint
    finally:
        endpoint.stop()
