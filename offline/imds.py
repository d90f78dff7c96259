"""A local instance metadata service on 127.0.0.1 that behaves like EC2's where the verifier
cares: PUT /latest/api/token with the TTL header gives a token (400 without the header, 400 for
a TTL outside 1..21600); tokens expire; with ``imdsv2_only`` a GET without a valid token gets
401, as with http_tokens=required; without it, GETs need no token (IMDSv1 still allowed)."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    server: _ImdsServer  # pyright: ignore[reportIncompatibleVariableOverride]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(self, status: int, body: str = "") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self) -> None:
        if self.path != "/latest/api/token":
            return self._reply(404)
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self._reply(400, "Missing or invalid X-aws-ec2-metadata-token-ttl-seconds")
        token = secrets.token_urlsafe(32)
        self.server.tokens[token] = time.monotonic() + int(ttl)
        return self._reply(200, token)

    def do_GET(self) -> None:
        token = self.headers.get("X-aws-ec2-metadata-token")
        valid = token is not None and self.server.tokens.get(token, 0) > time.monotonic()
        if token is not None and not valid:
            return self._reply(401)
        if self.server.imdsv2_only and not valid:
            return self._reply(401)
        body = self.server.paths.get(self.path)
        return self._reply(200, body) if body is not None else self._reply(404)


class _ImdsServer(ThreadingHTTPServer):
    def __init__(self, paths: Mapping[str, str], imdsv2_only: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.paths = dict(paths)
        self.imdsv2_only = imdsv2_only
        self.tokens: dict[str, float] = {}


@contextmanager
def imds(paths: Mapping[str, str], *, imdsv2_only: bool = True) -> Iterator[str]:
    """Serves ``paths`` (path -> body) and yields the endpoint URL; stops on exit."""
    server = _ImdsServer(paths, imdsv2_only)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def instance_metadata(
    iam: Any, sts: Any, *, instance_id: str, role_name: str, region: str
) -> dict[str, str]:
    """What an instance running as ``role_name`` serves (path -> body): its ID, its region and
    the role credentials EC2 obtains from STS (``iam`` and ``sts`` are boto3 clients, moto's in
    the tests and the try-it run)."""
    role_arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
    issued = sts.assume_role(RoleArn=role_arn, RoleSessionName=instance_id)["Credentials"]
    credentials = {
        "Code": "Success",
        "Type": "AWS-HMAC",
        "AccessKeyId": issued["AccessKeyId"],
        "SecretAccessKey": issued["SecretAccessKey"],
        "Token": issued["SessionToken"],
        "Expiration": issued["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return {
        "/latest/meta-data/": "iam/\ninstance-id\nplacement/",
        "/latest/meta-data/instance-id": instance_id,
        "/latest/meta-data/placement/region": region,
        "/latest/meta-data/iam/security-credentials/": role_name,
        f"/latest/meta-data/iam/security-credentials/{role_name}": json.dumps(credentials),
    }
