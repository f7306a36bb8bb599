"""Generic secrets (issue 7 §4): the randomness judge, the generic rules in many syntaxes, confidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.engine import Engine
from scanner.model import Blob, Origin
from scanner.rules import load_rules
from scanner.validators.generic import generic_passphrase, generic_password, generic_secret
from scanner.validators.randomness import BASE64_TEXT, judge, longest_run, uncovered_chars
from tests.helpers.cli import run_cli


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rules(), backend="python")


def generic_findings(engine: Engine, text: str, path: str = "app/config.txt") -> list[tuple[str, str]]:
    outcome = engine.scan(Blob.from_bytes(text.encode(), Origin(path)))
    return [(f.secret, f.confidence) for f in outcome.findings if f.rule_id.startswith("generic-")]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("changeme123", "placeholder"),
        ("<your-api-key>", "placeholder"),
        ("xxxxxxxxxxxx", "placeholder"),
        ("${DB_PASSWORD}", "template or variable"),
        ("{{ vault_token }}", "template or variable"),
        ("%(password)s", "template or variable"),
        ("os.environ.get", "environment lookup"),
        ("process.env.API_KEY", "environment lookup"),
        ("sha512-Zm9vYmFyYmF6cXV4", "integrity or digest"),
        ("https://api.internal/oauth/token", "URL"),
        ("/etc/ssl/private/server.key", "path"),
        ("1.24.3-rc.1", "version"),
        ("credsweeper==1.19.5", "package version pin"),
        ("my_recaptchaV3Token", "placeholder"),
        ("Uint8Array", "type or class name"),
        ("NonEmptySensitiveString1600", "type or class name"),
        ("Resource$Projects$Locations$Keys", "type or class name"),
        ("S3StagingLocation", "type or class name"),
        ("+obj.maxTokens.toFixed(3)", "function call or expression"),
        ("_asyncToGenerator(/*", "function call or expression"),
        ("r.password,s.host=r.host,s.port=r.port", "function call or expression"),
        ("bH39w8lIA9)](https://codecov.io/gh/knex", "URL"),
        ("foo=1%2C2%2C3&bar=1%2B2", "query string"),
        ("left-pad@^1.3.0", "package version pin"),
        ("2024-01-01T00:00:00Z", "number or date"),
        ("userPasswordField", "identifier (camelCase or snake_case name)"),
        ("models.CharField(max_length=128)", "function call or expression"),
        ("StreamDescription.Shards[-1].ShardId", "function call or expression"),
        ("rust_openssl.hpke.MLKEM768X25519PrivateKey", "reference to another name"),
        ("(?:[{_punct}]+|{_core_token})", "template or variable"),
        ("^[A-Za-z0-9_]{8,}$", "regular expression"),
        ("cGFzc3dvcmQxMjM=", "base64 of plain text (the decoder reports what it hides)"),
        ("Password", "made of dictionary words"),
        ("somepassword", "made of dictionary words"),
    ],
)
def test_judge_rejects_known_shapes(value: str, reason: str) -> None:
    assert judge(value).confidence is None
    assert judge(value).reason == reason


def test_judge_rejects_runs_and_low_entropy() -> None:
    assert "run" in judge("abcdefgh1234").reason
    assert longest_run("xx1234567yy") == 7
    assert judge("a1a1a1a1a1a1").confidence is None


def test_judge_grades_confidence() -> None:
    assert judge("q8Zt3Lm9Rv2XkP7wN4bYc6Ts").confidence == "high"
    assert judge("kq8JvN2pRz").confidence == "medium"
    # A person's password in a configuration works as well as a generated one (issue 16 §4); test words and
    # two-class values stay low.
    assert judge("Summer2024!").confidence == "medium"
    assert judge("Summer2024!").shape == "human-password"
    assert judge("Welcome2024!").confidence == "low"
    assert judge("StrongOne7.").confidence == "medium"  # words, a capital, a digit and a symbol
    assert (judge("P@ssw0rd2").confidence, judge("P@ssw0rd2").shape) == ("low", "test-password")
    assert judge("550e8400-e29b-41d4-a716-446655440000").shape == "uuid"
    assert judge("550e8400-e29b-41d4-a716-446655440000").confidence == "medium"  # many providers' key format
    assert judge("d41d8cd98f00b204e9800998ecf8427e").shape == "hex"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("1234567890abcdefXYZ", "run"),  # sequential run of 10, at the start
        ("Xq7k0123456789", "sequential"),  # a run of six or more anywhere, not only a third of the value
        ("AbCdEfGhIjKlMnOp12", "sequential"),  # the case aside
        ("a1b2c3d4e5f6g7h8", "interleaved"),
        ("xK9abcabcabcabcQ", "repeated"),  # a short unit written four times
        ("tok_abc123xyz", "runs"),  # nothing but short runs one after another
        ("OTL-A1B2C3", "interleaved"),  # two sequences of three, interleaved
        (
            "ag5zfnF1b2trYS1kZW1vMXIRCxIHQWNjb3VudBi5jOMFDA",
            "App Engine",
        ),  # a datastore key: app s~quokka-demo1
        ("agxkZXZ-cXVva2thcHByDAsSBENsdWIYKgw", "App Engine"),  # dev~quokkapp, a Club entity
        ("smithy.api#httpBearerAuth", "reference"),  # a Smithy shape id
        ("CLASS_DEF,METHOD_DEF,ENUM_DEF", "list of names"),
        ("vs/css!vs/editor/contrib/hover/hoverWidget", "path"),  # an AMD module id with its loader
        ("%s:%s", "template"),  # printf fields
        ("api-{}", "template"),  # an empty str.format field
        ("$2a$10$I3iddh1D..EIOXXQtsra4u8AjOtgEa2ERxVvYGfXFBJDo1omXwP.q", "hash"),  # a cracking target
        ("this->get_url_with_auth_(this->md5_url_)", "expression"),
    ],
)
def test_dummies_templates_hashes_and_code_are_not_generic_secrets(value: str, why: str) -> None:
    judgement = judge(value)
    assert judgement.confidence is None and why in judgement.reason


@pytest.mark.parametrize(
    "value",
    [
        "agR7kL2mQ9xT4vP8zN3wY6aB1c",  # starts like a datastore key, does not decode to one
        "Zx9abc7Kq2Lm4Np7Rb",  # one run of three among random characters
        "Zx9a1b2Kq2Lm4Np7Rb",  # two interleaved sequences of two
        "Zx9jjkkllKq2Lm4Np7Rb",  # a doubled sequence (jjkkll) is not two sequences interleaved
    ],
)
def test_values_near_the_typed_in_dummies_are_still_judged(value: str) -> None:
    assert judge(value).confidence is not None


@pytest.mark.parametrize(
    "value",
    [
        "q8Zt3Lm9Rv2XkP7wN4bYc6Ts",  # generated: no sequence, no repeated unit
        "AAAAq8Zt3Lm9Rv2XkP7wN4bYc6",  # real keys hold AAAA runs (base64 of zero bytes)
        "Zx12345kP9qLm4T8vR2wN6",  # a run of five is not yet a dummy where the rest is random
    ],
)
def test_generated_values_with_short_runs_stay_secrets(value: str) -> None:
    assert judge(value).confidence is not None


def test_dictionary_coverage_undoes_leet() -> None:
    uncovered, covered = uncovered_chars("P@ssw0rd")
    assert (uncovered, covered) == (0, 8)
    assert uncovered_chars("kq8JvN2pRz")[1] == 0


def test_validator_marks_placeholders_as_examples() -> None:
    verdict = generic_secret("<your-token>")
    assert not verdict.ok and verdict.example
    verdict = generic_secret("q8Zt3Lm9Rv2XkP7wN4bYc6Ts")
    assert verdict.ok and verdict.confidence == "high"
    assert dict(verdict.facts)["randomness"].startswith("random")


SECRET = "q8Zt3Lm9Rv2XkP7wN4bY"


@pytest.mark.parametrize(
    "text",
    [
        f"DB_PASSWORD={SECRET}",
        f"export API_TOKEN={SECRET}",
        f"password: {SECRET}",
        f'{{"client_secret": "{SECRET}"}}',
        f'api_key = "{SECRET}"',
        f"const apiKey = '{SECRET}';",
        f'private static final String PASSWORD = "{SECRET}";',
        f'authToken := "{SECRET}"',
        f'public static string SmtpPassword = "{SECRET}";',
        f"'password' => '{SECRET}',",
        f"define('AUTH_KEY', '{SECRET}');",
        f'password = "{SECRET}"  # toml or hcl',
        f"db.password={SECRET}",
        f"<password>{SECRET}</password>",
        f'<add key="PaymentApiKey" value="{SECRET}" />',
        f"mysqldump --user=backup --password={SECRET} db",
        f'curl -H "Authorization: Bearer {SECRET}" https://api.local/',
        f'"{{\\"password\\": \\"{SECRET}\\"}}"',
    ],
)
def test_generic_rules_read_every_common_syntax(engine: Engine, text: str) -> None:
    assert [s for s, _ in generic_findings(engine, text)] == [SECRET]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("password = get_password()", "a function call"),
        ("token = self.token_from_env", "a reference to another name"),
        ("password = models.CharField(max_length=128)", "a field declaration"),
        (
            'csrf_token = "a8Kq2LmZ9xR4vT8pN3wY"',
            "a CSRF token is sent to every browser: it guards no account",
        ),
        ('token_type = "Bearer1"', "names a kind of token, holds no token"),
        ("SECRET_KEY = os.environ['SECRET_KEY']", "an environment lookup"),
        ("PASSWORD=${DB_PASSWORD}", "a template variable"),
        ('api_key = "<your-api-key-123>"', "a placeholder"),
        ("bypass = 'Xq7kpL2vR9mK'", "`pass` inside `bypass` is not a password's name"),
        ('"integrity": "sha512-Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4"', "a lockfile's integrity digest"),
        ('secretName: "db-credentials-2"', "the name of a Kubernetes Secret, not its value"),
        (
            '"NextContinuationToken": "1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi"',
            "a pagination cursor: it grants nothing",
        ),
        (
            '"ClientToken": "q8Zt3Lm9Rv2XkP7wN4bY"',
            "an AWS idempotency token: chosen by the caller, grants nothing",
        ),
        ("password: !vault |", "an Ansible Vault block: encrypted, its value on the next lines"),
        (
            'token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.dGVzdA.jiMyrsmD8AoHWeQgmxZ5yq8z0lXS67_QGs52AzC8Ru8"',
            "a broken JWT (python-jose's tests): the jwt rules judge it, and reject it",
        ),
        (
            'bad_token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.iOJ5SiNfaNO_pa2J4Umtb3b3zmk5C18-mhTCVNsjnck"',
            "a JWT without claims: left to the jwt rules likewise",
        ),
    ],
)
def test_generic_rules_ignore_non_secrets(engine: Engine, text: str, why: str) -> None:
    assert generic_findings(engine, text) == [], why


def test_provider_rule_wins_over_generic(engine: Engine) -> None:
    outcome = engine.scan(
        Blob.from_bytes(
            b'aws_secret_access_key = "v5ZJr3J1TWDtkwtDDb/xHKas1VOqg6YYZYn9Zhyi"\n', Origin("creds")
        )
    )
    assert [f.rule_id for f in outcome.findings] == ["aws-secret-access-key"]


def test_min_confidence_selects_generic_findings(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"API_TOKEN={SECRET}\nSMTP_PASSWORD=Welcome2024!\n")

    def lines(*flags: str) -> list[tuple[int, str]]:
        proc = run_cli("scan", str(tmp_path), "--engine", "python", "-f", "json", "-q", *flags)
        assert proc.returncode == 1, proc.stderr
        assert SECRET not in proc.stdout  # redacted by default
        return [(f["line"], f["confidence"]) for f in json.loads(proc.stdout)["findings"]]

    assert lines("--min-confidence", "low") == [(1, "high"), (2, "low")]
    assert lines() == [(1, "high")]  # medium by default: a test-word password is low
    assert lines("--min-confidence", "high") == [(1, "high")]


@pytest.mark.parametrize("value", ["handler-5757", "invoice_73685", "metric.44914", "client-3280"])
def test_word_and_counter_values_are_low_confidence(value: str) -> None:
    from scanner.validators.randomness import judge

    judgement = judge(value)
    assert (judgement.confidence, judgement.shape) == ("low", "word-number")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("amzn.mws.{h[:8]}-{h[8:12]}-{h[20:]}", "template or variable"),  # an f-string with expressions
        ("prefix-{make_token(rng)}", "template or variable"),
        ("external/cwe/cwe-798", "path"),  # lower-case words between slashes
        ("api/v1/users", "path"),
    ],
)
def test_templates_with_expressions_and_word_paths_are_not_secrets(value: str, reason: str) -> None:
    from scanner.validators.randomness import judge

    assert judge(value).reason == reason


def test_hidden_low_confidence_candidates_are_counted(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SMTP_PASSWORD=Welcome2024!\n")
    text = run_cli("scan", str(tmp_path))
    assert text.returncode == 0
    assert "1 low-confidence candidate(s) not shown (--min-confidence low shows them)" in text.stdout
    doc = json.loads(run_cli("scan", str(tmp_path), "-f", "json").stdout)
    assert doc["summary"]["below_min_confidence"] == 1


def test_jws_shaped_values_are_left_to_the_jwt_rules() -> None:
    for value in (
        "dGVzdA.eyJhIjoiYiJ9.jiMyrsmD8AoHWeQgmxZ5yq8z0lXS67_QGs52AzC8Ru8",
        "eyJhIjoiYiJ9.jiMyrsmD8Ao",
    ):
        verdict = generic_secret(value)
        assert not verdict.ok and verdict.reason.startswith("JWS/JWT shape")
    assert generic_secret("q8Zt3LeyJm9Rv2XkP7wN4bYc6Ts").ok  # 'eyJ' inside a random value is no JWT


def test_provider_prefixed_values_the_provider_rule_refused_are_low_unless_a_checksum_proved_them_fake(
    engine: Engine,
) -> None:
    """issue 16 §5: a prefixed value its provider's rule did not accept (python-gitlab's short glpat-abc123, a
    Stripe key cut short) may be a shape that rule does not know yet: reported, at low. A failed checksum
    (GitHub, npm, PyPI) proves a value fake: not reported at all."""
    assert [c for _, c in generic_findings(engine, 'PRIVATE_TOKEN = "glpat-abc123x9"')] == ["low"]
    verdict = generic_secret("sk_live_axwITqZSgTUXSN")
    assert verdict.ok and verdict.confidence == "low"
    assert generic_secret("glpatXq7kpL2vR9mKz4Tw").confidence != "low"  # the letters alone are no prefix
    assert not generic_secret("ghp_Xq7kpL2vR9mKz4TwXq7kpL2vR9mKz4Tw1234").ok  # checksummed: fake if refused
    assert not generic_secret("npm_Xq7kpL2vR9mKz4TwXq7kpL2vR9mKz4Tw12").ok


def test_a_password_with_an_at_and_a_year_is_not_a_version_pin() -> None:
    assert judge("Summer@2024").reason != "package version pin"
    assert judge("requests==2.32.3").reason == "package version pin"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        # code in other languages: Rust macros, Go composite literals, casts and references, method chains
        ("Token![struct]", "function call or expression"),
        ("quote!(#ident)", "function call or expression"),
        ("EcKey::generate(&group)?", "function call or expression"),
        ("&kubeadm.BootstrapTokenDiscovery{}", "function call or expression"),
        ("[]v1.Secret{}", "function call or expression"),
        ("(*v1.SecretVolumeSource)(unsafe.Pointer(in.Secret))", "function call or expression"),
        ("*(*[]core.ObjectReference)(unsafe.Pointer(&in.Secrets))", "function call or expression"),
        ("&RegistryConfig", "function call or expression"),
        ("list(kwargs.items())[0]", "function call or expression"),
        ("get_token_dict(to_ipa=to_ipa", "function call or expression"),
        ("b1bc3b3cd352f68d79d7).join(sep)", "function call or expression"),
        ("v1.FinalizerKubernetes", "reference to another name"),
        ("DOT11_DIALOG_TOKEN", "identifier (camelCase or snake_case name)"),
        ("kubernetes_secret_v1", "identifier (camelCase or snake_case name)"),
        ("Ansible-Alicloud-{0}-{1}", "template or variable"),
        ('{.users[?(@.name=="e2e")].user.password}', "template or variable"),
        ("/[[:alnum:]]{10}/", "template or variable"),
        ("(.*)$/)[1].strip", "regular expression"),
        ("accd36&oauth_token_secret=aa47da&oauth_expires_at=2013", "query string"),
        ("jwt,pub-key=app.rsa.pub,priv-key=app.rsa,sign-method=RS512", "query string"),
        ("/?page=2", "path"),
        ("&lt;b&gt;token&lt;/b&gt;", "HTML-escaped markup"),
        ("admin#show_api_key", "route (controller#action)"),
        ("AKIAI44QH8DHBF3KP2XY/20150830/us-east-1/iam/aws4_request", "AWS SigV4 credential scope"),
        ("00112233445566778899aabbccddeeff…", "placeholder"),
        ("ABC123abc123ABC123abc123ABC123ab", "a pattern of 6 characters repeated"),
        ("0123456789abcdef0123456789abcdef01234567", "a pattern of 16 characters repeated"),
        ("0002_alter_permission_name_max_length", "identifier (camelCase or snake_case name)"),
        ("####_migration_name", "placeholder"),
        ("!this.anonymous", "function call or expression"),
        ("c->argv[++j]->ptr", "function call or expression"),
        ("[]*swarmtypes.SecretReference{}", "function call or expression"),
        ("source=app-key,target=app,uid=1000,mode=0400", "query string"),
        ("!showConfirmPwd", "function call or expression"),
        ("dev-master#9c1e4b7a0d2f5e8c3b6a1d4f7e0c9b2a5d8f1e4c", "version constraint"),
        ("(NSString*)consumerSecret", "function call or expression"),
        ("UITextField!", "function call or expression"),
        (
            "{AQAAABAAAAAQk3Vt8bQz2LmR7xN4pW9cYd1eHf6gJs0aKo5iUl2Tn8E=}",
            "encrypted with another key (Jenkins secret)",
        ),
    ],
)
def test_judge_rejects_code_markup_and_patterns_from_other_ecosystems(value: str, reason: str) -> None:
    assert judge(value).confidence is None
    assert judge(value).reason == reason


@pytest.mark.parametrize(
    "value",
    [
        "$1$avs$uSTOEMh65ADDqzvpb9yBMpzd/",  # md5crypt
        "$2a$10$I3iddh1D..EIOXXQtsra4u8AjOtgEa2ERxVvYGfXFBJDo1omXwP.q",  # bcrypt
        "*EE0D72C1085C46C5278932678FBE2C6A782821B4",  # MySQL native password
        "md59543f1d82624df2b31672ec0f7050460",  # PostgreSQL md5
        "pbkdf2_sha256$30000$Vo0VlMnkR4Bk$qEvtdyZRWTcOsCnI/oQ7fVOu1XAUR",  # Django
        "md5$Qm4T8vR2wN6k$5d41a0c3e9b7f2a16c8d4e0b3f9a7c21",  # Django's legacy salted MD5
        "#jbcrypt:$2a$10$Qm4T8vR2wN6kXz1Lp0Ha7uVbC3dE5fG7hJ9kL1mN3pQ5rS7tU9vW",  # Jenkins' user database
    ],
)
def test_password_hashes_are_not_generic_secrets(value: str) -> None:
    # A cracking target, not a working credential: --min-confidence low stays worth reading (issue 16 §4).
    assert judge(value).confidence is None and "password hash" in judge(value).reason


def test_random_values_with_underscores_or_repeats_stay_secrets() -> None:
    assert judge("q8Zt3_Lm9Rv2XkP7wN4bY").confidence == "high"  # one letter case is not a name
    assert judge("A7F_9KQ2_ZPX").confidence == "medium"  # no two word-like parts
    assert judge("$9$kq5Ftu1cSe").confidence == "medium"  # Juniper $9$ is reversible: the password itself
    assert judge("s.jRHAoqElnJDx6J5ExYelCDYR").confidence == "high"


def test_url_passwords_that_are_query_strings_or_joined_words(engine: Engine) -> None:
    from scanner.validators.checksums import not_placeholder

    assert not not_placeholder("?authSource=admin").ok
    assert not_placeholder("oplog_reader_password").confidence == "low"
    assert not_placeholder("correct-horse-battery-staple").confidence == "low"
    assert not_placeholder("Xq7pL2vR9mKz").confidence is None


def test_text_in_other_scripts_is_low_confidence() -> None:
    # MediaWiki's translated messages assigned to *-token / *-password keys; a Cyrillic password alike
    for value in ("$1文字目に認識できないトークン「$2」があります。", "пароль123Xy"):
        assert (judge(value).confidence, judge(value).shape) == ("low", "non-ascii")
    assert judge("Xq7#pL2vR9mKé").confidence == "medium"  # one accented letter does not make prose


@pytest.mark.parametrize(
    ("value", "confidence"),
    [
        ("postgres", "medium"),  # a product name set as the password opens the door all the same
        ("wordpress", "medium"),
        ("Harbor12345", "medium"),  # people build passwords on sequences
        ("Aa123456", "medium"),
        ("citrusblend", "medium"),
        ("admin123", "medium"),  # a default password: what attackers try first, working wherever unchanged
        ("P@ssw0rd1", "medium"),
        ("root1!", "medium"),
        ("passw0rd", "medium"),  # a default in leet, no word a form shows
        ("rootpass", "medium"),  # a role and the word: an installer's default
        ("adminadmin", "medium"),
        ("letmein", "medium"),  # among the first passwords attackers try
        ("Stonepass7", "medium"),  # a password built on the word: mixed case and a digit
        ("Ag3ntP@ssw0rd", "medium"),
        ("Tr0ub4dor-9Tr0ub4dor-9", "medium"),  # a password typed twice: the unit is itself a password
        ("string1", "low"),  # Swagger's example value for a string field, with a counter
        ("hashicorp", "medium"),  # a name that begins with "hash" describes nothing
        ("pass1", "low"),  # short
        ("user123", "low"),  # a test account's password
        ("anonymous", "low"),  # Spring's anonymous principal
        ("Bluefin42$", "medium"),  # one capitalised word and a symbol: no type name
        ("demo_1", "low"),
        ("java", "low"),  # short
    ],
)
def test_a_password_field_holds_a_password_however_weak(value: str, confidence: str) -> None:
    verdict = generic_password(value)
    assert verdict.ok and verdict.confidence == confidence


@pytest.mark.parametrize(
    "value",
    [
        "Password",  # a form label
        "Passwort",  # a translation
        "changeme",  # the field's placeholder words
        "required",
        "mysecretpassword",  # a description of a password
        "hashedpass",
        "wrongpass",
        "MyP@ssw0rd",  # "my password" in leet: a description
        "hashedPassw0rd",
        "root-password",  # names the setting
        "Hash1",  # "hash" and a counter
        "P@55w0rd!",  # the word in leet and nothing more
        "s3cur3s3cr3T",
        "passwordTextField.text!",  # code, not a password built on the word
        "ENV-cloud9_password",
        "passphrase-of-userid2",
        "Xy1!Xy1!",  # a short unit typed twice
        "^1.0.0",  # parse-passwd's version range in a lockfile
        "0x0002000",  # a flag constant
        "!showConfirmPwd",  # code
        "UITextField!",  # a Swift type
        "String?",
        "Int32!",
        "new_password",  # a name
        "abcdefg",  # a sequence and nothing else
        "specialize",  # a Windows answer file's configuration pass (<settings pass="specialize">)
        "@authentication_string",  # a Ruby instance variable
        "JBSWY3DPEHPK3PXP",  # the TOTP secret of every authenticator how-to
    ],
)
def test_a_password_field_value_that_is_no_password(value: str) -> None:
    assert not generic_password(value).ok


@pytest.mark.parametrize(
    ("value", "confidence"),
    [
        ("quokka lantern pebble orbit", "medium"),  # a passphrase a person chose
        ("my little nest of otters", "medium"),  # a sentence is a passphrase too
        ("Th1s 1s m1ne", "medium"),
        ("Mr. Wobbles", "low"),  # two words: a name as often as a passphrase
    ],
)
def test_a_passphrase_in_a_password_field_is_a_password(value: str, confidence: str) -> None:
    verdict = generic_passphrase(value)
    assert verdict.ok and verdict.confidence == confidence


@pytest.mark.parametrize(
    "value",
    [
        "is too short",  # validation messages
        "can't be blank",
        "Enter your password",  # a form's hint
        "used to sign the session",  # a field's documentation
        "Passwords do not match",
        "stored hash of it",  # names the password's hash
        "change me later",  # a placeholder
        "single",  # one word: the password rules' value
    ],
)
def test_a_message_in_a_password_field_is_no_passphrase(value: str) -> None:
    assert not generic_passphrase(value).ok


def test_base64_in_a_password_field_is_decoded_or_is_the_password() -> None:
    # "postgres" and "password" decoded: left to the decoder, which reports a password and no placeholder
    assert generic_password("cG9zdGdyZXM=").reason == BASE64_TEXT
    assert generic_password("cGFzc3dvcmQ=").reason == BASE64_TEXT
    # an e-mail address decoded is no password: the encoded text is the password the program sends
    verdict = generic_password("bW9jLmVsdXNrbmF0QHNla2F0bmEubGxpdw==")
    assert verdict.ok and verdict.confidence == "medium"
