"""A real AWS emulator for the verification tests (issue 4): moto's server on 127.0.0.1, signatures enforced.

moto checks request signatures only once its auth mode is on; we create an admin user first (allowed
everything), then switch auth on with `POST /moto-api/reset-auth` (body `0`), so every later request, ours and
the scanner's, must be signed with a key moto knows. Nothing here listens beyond loopback.
"""

from __future__ import annotations

import json
import logging
import socket
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import botocore.session
from moto.server import ThreadedMotoServer

from scanner.validators.registry import aws_key_id, aws_secret_key

ACCOUNT = "123456789012"  # moto's default account: key ids it issues decode to it
# No AWS configuration of the machine may leak into a test; no metadata service is asked for credentials.
QUIET_AWS = {
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_REGION": "us-east-1",
}
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass(frozen=True)
class Key:
    user: str
    key_id: str
    secret: str = field(repr=False)


class MotoAws:
    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines in the test output
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        self._session = botocore.session.Session()
        bootstrap = self.client("iam", "AKIABOOTSTRAP0000000", "bootstrap")  # auth is still off
        bootstrap.create_user(UserName="admin")
        bootstrap.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=json.dumps(ADMIN_POLICY))
        made = bootstrap.create_access_key(UserName="admin")["AccessKey"]
        self.admin = Key("admin", made["AccessKeyId"], made["SecretAccessKey"])
        request = urllib.request.Request(
            f"{self.url}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            assert json.load(reply)["status"] == "ok"
        self.iam = self.client("iam", self.admin.key_id, self.admin.secret)

    def client(self, service: str, key_id: str, secret: str, token: str | None = None) -> Any:
        return self._session.create_client(
            service,
            region_name="us-east-1",
            endpoint_url=self.url,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            aws_session_token=token,
        )

    def new_key(self, user: str) -> Key:
        """A fresh key for `user` (created if needed) that the scanner's rules accept as a real-looking key."""
        if user not in {u["UserName"] for u in self.iam.list_users()["Users"]}:
            self.iam.create_user(UserName=user)
        while True:
            made = self.iam.create_access_key(UserName=user)["AccessKey"]
            key = Key(user, made["AccessKeyId"], made["SecretAccessKey"])
            if aws_key_id(key.key_id).ok and aws_secret_key(key.secret).ok:
                return key
            self.delete(key)  # a random secret without digits (about 1 in 1000): not what a test wants

    def delete(self, key: Key) -> None:
        self.iam.delete_access_key(UserName=key.user, AccessKeyId=key.key_id)

    def deactivate(self, key: Key) -> None:
        self.iam.update_access_key(UserName=key.user, AccessKeyId=key.key_id, Status="Inactive")

    def use(self, key: Key) -> None:
        """One signed call, so IAM records the key's last use (service sts)."""
        self.client("sts", key.key_id, key.secret).get_caller_identity()

    def backdate(self, key: Key, days: int) -> None:
        """Age a key: the IAM API cannot set a creation date, so change it in the emulator's own state."""
        from moto.iam.models import iam_backends

        stored = iam_backends[ACCOUNT]["aws"].access_keys[key.key_id]
        stored.create_date = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=days)

    def assume_role(self, role: str) -> tuple[str, str, str]:
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
        }
        self.iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
        sts = self.client("sts", self.admin.key_id, self.admin.secret)
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role}", RoleSessionName="leak")
        c = creds["Credentials"]
        return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]

    def stop(self) -> None:
        self._server.stop()


def closed_port_url() -> str:
    """A loopback URL where nothing listens: bind a port, then release it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
