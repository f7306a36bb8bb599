"""AWS accounts that belong to canary-token services: keys from them are tripwires, never contacted.

A canary key calls home on first use, and a verification request counts as use: it would alert whoever planted
it and reveal that this scanner found it. The account is decoded offline from the key id
(scanner.validators.aws), so a canary is recognised without sending anything.

Every account id is listed with the public lists that carry it (issue 17 §3); an id that no public list
carries does not belong here. Re-check the lists when updating; users add their own accounts with
`verify.skip_accounts`.
"""

from __future__ import annotations

from dataclasses import dataclass

# The public lists, by key: the scanner, the file and the name of the list, and the version read.
SHORT_NAMES = {
    "trufflehog-thinkst": "TruffleHog (Thinkst list)",
    "trufflehog-knockoffs": "TruffleHog (look-alike list)",
    "kingfisher": "Kingfisher",
}
SOURCES: dict[str, str] = {
    "trufflehog-thinkst": "TruffleHog pkg/detectors/aws/access_keys/canary.go, thinkstCanaryList "
    "(trufflesecurity/trufflehog at 3ab759fef4bb)",
    "trufflehog-knockoffs": "TruffleHog pkg/detectors/aws/access_keys/canary.go, thinkstKnockoffsCanaryList "
    "(trufflesecurity/trufflehog at 3ab759fef4bb)",
    "kingfisher": "Kingfisher src/validation/aws.rs, BUILTIN_SKIP_ACCOUNT_IDS "
    "(mongodb/kingfisher, as mirrored by bhardwajRahul/kingfisher at 2f41d159e24d)",
}
THINKST = "Thinkst Canary / canarytokens.org"
LOOKALIKE = "a canary-token service inspired by canarytokens.org"
UNNAMED = "a canary-token service (the list does not name it)"


@dataclass(frozen=True, slots=True)
class Canary:
    issuer: str
    sources: tuple[str, ...]  # keys of SOURCES

    def listed_by(self) -> str:
        return ", ".join(SHORT_NAMES[s] for s in self.sources)


_BOTH = ("trufflehog-thinkst", "kingfisher")
_TH = ("trufflehog-thinkst",)
_KNOCKOFF = ("trufflehog-knockoffs",)
_KF = ("kingfisher",)
CANARY_ACCOUNTS: dict[str, Canary] = {
    "052310077262": Canary(THINKST, _BOTH),
    "171436882533": Canary(THINKST, _BOTH),
    "266735846894": Canary(THINKST, _TH),
    "534261010715": Canary(THINKST, _BOTH),
    "595918472158": Canary(THINKST, _BOTH),
    "717712589309": Canary(THINKST, _TH),
    "730335385048": Canary(THINKST, _TH),
    "819147034852": Canary(THINKST, _TH),
    "893192397702": Canary(THINKST, _BOTH),
    "992382622183": Canary(THINKST, _BOTH),
    "528757803018": Canary(UNNAMED, _KF),
    "538784191382": Canary(UNNAMED, _KF),
    "729780141977": Canary(UNNAMED, _KF),
    "044858866125": Canary(LOOKALIKE, _KNOCKOFF),
    "251535659677": Canary(LOOKALIKE, _KNOCKOFF),
    "344043088457": Canary(LOOKALIKE, _KNOCKOFF),
    "351906852752": Canary(LOOKALIKE, _KNOCKOFF),
    "390477818340": Canary(LOOKALIKE, _KNOCKOFF),
    "426127672474": Canary(LOOKALIKE, _KNOCKOFF),
    "427150556519": Canary(LOOKALIKE, _KNOCKOFF),
    "439872796651": Canary(LOOKALIKE, _KNOCKOFF),
    "445142720921": Canary(LOOKALIKE, _KNOCKOFF),
    "465867158099": Canary(LOOKALIKE, _KNOCKOFF),
    "637958123769": Canary(LOOKALIKE, _KNOCKOFF),
    "693412236332": Canary(LOOKALIKE, _KNOCKOFF),
    "732624840810": Canary(LOOKALIKE, _KNOCKOFF),
    "735421457923": Canary(LOOKALIKE, _KNOCKOFF),
    "959235150393": Canary(LOOKALIKE, _KNOCKOFF),
    "982842642351": Canary(LOOKALIKE, _KNOCKOFF),
}


def canary_of(account: str | None) -> Canary | None:
    return None if account is None else CANARY_ACCOUNTS.get(account)
