"""AWS accounts that belong to canary-token services: keys from them are tripwires, never contacted.

A canary key calls home on first use, and a verification request counts as use: it would alert whoever planted
it and reveal that this scanner found it. The account is decoded offline from the key id
(scanner.validators.aws), so a canary is recognised without sending anything.
"""

from __future__ import annotations

# Account ids that issue canary AWS keys, as published in the canary lists of open-source secret scanners
# (TruffleHog's AWS detector, which credits Thinkst). Compiled from memory without network access (issue 4):
# re-check against the current upstream lists when updating. Account id → who issues keys from it.
CANARY_ACCOUNTS: dict[str, str] = {
    **dict.fromkeys(
        (
            "052310077262",
            "171436882533",
            "266735846894",
            "534261010715",
            "595918472158",
            "717712589309",
            "730335385048",
            "819147034852",
            "992382622183",
        ),
        "Thinkst Canary / canarytokens.org",
    ),
    **dict.fromkeys(
        (
            "044858866125",
            "251728468475",
            "344043088457",
            "351906852752",
            "390477818340",
            "426127672474",
            "427150556519",
            "439872796651",
            "445142720921",
            "465867158099",
            "637958123769",
            "693412236332",
            "732624840810",
            "735421457923",
            "959235150393",
            "982842642351",
        ),
        "canary-token service (Thinkst look-alike)",
    ),
}


def canary_issuer(account: str | None) -> str | None:
    return None if account is None else CANARY_ACCOUNTS.get(account)
