"""Pattern-valid fake credentials for the torture corpus, drawn from one seeded `random.Random`.

Written here from the published formats, not taken from scanner/: the corpus is the ground truth the scanner
is judged against, so it must not share the scanner's idea of a valid key. None was ever issued by a provider.
"""

from __future__ import annotations

import random
import re
import string
import zlib

BASE32 = string.ascii_uppercase + "234567"  # the alphabet of AWS access key ids after the prefix
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
BASE64 = string.ascii_letters + string.digits + "/+"
# What every scanner takes for a placeholder or a sample typed by a person: never drawn.
_LOOKS_FAKE = re.compile(r"(?i)example|x{4}|(.)\1\1|abcd|1234|test|fake|dummy|sample")


def crc32_base62(text: str, width: int = 6) -> str:
    """GitHub's token tail: the CRC32 of the random part, in base62, left-padded with zeros."""
    value = zlib.crc32(text.encode())
    digits = ""
    while value:
        value, rem = divmod(value, 62)
        digits = BASE62[rem] + digits
    return digits.rjust(width, "0")


class Fakes:
    """Every value drawn is new: a finding can always be traced back to the one place it was planted."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.drawn: set[str] = set()

    def _draw(self, alphabet: str, length: int, classes: tuple[str, ...] = ()) -> str:
        while True:
            value = "".join(self.rng.choice(alphabet) for _ in range(length))
            mixed = all(any(c in group for c in value) for group in classes)
            if mixed and not _LOOKS_FAKE.search(value) and value not in self.drawn:
                self.drawn.add(value)
                return value

    def aws_pair(self) -> tuple[str, str]:
        """(access key id, secret access key): AKIA + 16 base32; 40 base64 with lower, upper and digits."""
        key_id = "AKIA" + self._draw(BASE32, 16)
        lower, upper = string.ascii_lowercase, string.ascii_uppercase
        return key_id, self._draw(BASE64, 40, (lower, upper, string.digits))

    def github(self) -> str:
        """A classic personal access token: ghp_ + 30 base62 + the CRC32 tail GitHub publishes."""
        body = self._draw(BASE62, 30, (string.ascii_lowercase, string.ascii_uppercase, string.digits))
        return "ghp_" + body + crc32_base62(body)

    def password(self, length: int = 14) -> str:
        """A generated-looking password: what a generic assignment rule may report at any confidence."""
        return self._draw(
            string.ascii_lowercase + string.digits, length, (string.ascii_lowercase, string.digits)
        )

    def words(self) -> str:
        """A passphrase of joined words: a candidate scanners keep at low confidence, still a secret."""
        pool = ("orbit", "maple", "quartz", "lantern", "pepper", "harbor", "violet", "timber", "saddle")
        while True:
            value = "-".join(self.rng.sample(pool, 3)) + "-" + str(self.rng.randrange(10, 99))
            if value not in self.drawn:
                self.drawn.add(value)
                return value


def aws_lines(key_id: str, secret: str) -> str:
    """The two lines of a credentials file: what every AWS rule must report as one paired finding."""
    return f"aws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
