"""Mutation testing of the code that decides whether a secret is reported (issue 21 §5).

    python bench/mutate.py                      # every mutation in the list, one at a time
    python bench/mutate.py --only randomness    # the mutations whose file or id contains a word
    python bench/mutate.py --list               # the list, without running anything
    python bench/mutate.py --json               # machine-readable result
    python bench/mutate.py --tests-at main      # the same mutants against another revision's tests

Each mutation is a one-line change (file, exact old text, new text) with what it would hide. It is applied to
a temporary copy of the checkout, never to the working tree, and a fast subset of the suite runs against the
copy (`pytest --no-cov -x -q`, PYTHONPATH set to the copy so that the tests, the installed console script
and every subprocess import the mutated package, not the editable install). A mutant is killed when the
subset fails, survives when it passes. A mutation whose old text is no longer in its file is reported as
stale: update the list when the code moves. The kill rate is over the mutants that ran.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Test subsets per area: what a developer would run after touching that code. In-process tests only where
# they suffice, so one mutant costs seconds.
DETECTION = ("tests/validators", "tests/engine", "tests/rules")
GATE = ("tests/filters", "tests/e2e/test_diff.py", "tests/e2e/test_staged.py")
BASELINE = ("tests/filters", "tests/e2e/test_baseline.py")


@dataclass(frozen=True, slots=True)
class Mutation:
    id: str
    file: str
    old: str  # exact text, once in the file, within one line
    new: str
    hides: str  # what a real scan at the default settings would lose ("" when it loses nothing)
    tests: tuple[str, ...] = DETECTION


R = "scanner/validators/randomness.py"
G = "scanner/validators/generic.py"
P = "scanner/engine/pairing.py"
D = "scanner/engine/decode.py"
C = "scanner/engine/core.py"
Y = "rules/generic.yaml"

MUTATIONS: tuple[Mutation, ...] = (
    # --- the randomness judge
    Mutation("run-floor", R, "if run >= max(4, length // 3):", "if run >= max(3, length // 3):",
             "a value with a run of three (Zx9Kq2L888mN)"),
    Mutation("run-share", R, "if run >= max(4, length // 3):", "if run >= max(4, length // 4):",
             "a 30-character value with a run of 9"),
    Mutation("run-count", R, "current, step = current + 1, diff", "current, step = current + 2, diff",
             "values with a run of three"),
    Mutation("dummy-sequence", R, "if run >= 6:", "if run >= 5:", "a value holding a sequence of five (vwxyz)"),
    Mutation("period-tail", R, "if all(text[i] == text[i - size] for i in range(size, len(text))):",
             "if all(text[i] == text[i - size] for i in range(size, len(text) - 1)):",
             "a value whose first half comes back but for its last character"),
    Mutation("period-half", R, "if unit * 2 <= length:", "if unit * 2 < length:", ""),
    Mutation("entropy-floor", R, "if entropy < min(3.0, 0.8 * math.log2(length)):",
             "if entropy < min(3.1, 0.8 * math.log2(length)):", "16-character values of entropy 3.0"),
    Mutation("entropy-edge", R, "if entropy < min(3.0, 0.8 * math.log2(length)):",
             "if entropy <= min(3.0, 0.8 * math.log2(length)):", "values of entropy exactly 3.0"),
    Mutation("words-other", R, "return uncovered <= 3 and covered >= length / 2",
             "return uncovered <= 4 and covered >= length / 2", ""),
    Mutation("words-share", R, "return uncovered <= 3 and covered >= length / 2",
             "return uncovered <= 3 and covered >= length / 3", ""),  # survives: no value it moves was reported
    Mutation("non-ascii", R, "_NON_ASCII_LETTERS = 3", "_NON_ASCII_LETTERS = 2",
             "a random value with two accented letters"),
    Mutation("hex-length-20", R, '"medium" if length >= 20 and entropy >= 3.3 else "low"',
             '"medium" if length >= 21 and entropy >= 3.3 else "low"', "a 20-digit hex key"),
    Mutation("hex-length-24", R, '"medium" if length >= 20 and entropy >= 3.3 else "low"',
             '"medium" if length > 24 and entropy >= 3.3 else "low"', "a 24-digit hex key"),
    Mutation("hex-entropy", R, '"medium" if length >= 20 and entropy >= 3.3 else "low"',
             '"medium" if length >= 20 and entropy >= 3.4 else "low"', "hex keys of entropy 3.3-3.4"),
    Mutation("high-length", R, "if length >= 16 and classes >= 3 and entropy >= 3.5 and covered * 4 < length:",
             "if length >= 17 and classes >= 3 and entropy >= 3.5 and covered * 4 < length:", ""),
    Mutation("high-entropy", R, "if length >= 16 and classes >= 3 and entropy >= 3.5 and covered * 4 < length:",
             "if length >= 16 and classes >= 3 and entropy > 3.5 and covered * 4 < length:", ""),
    Mutation("medium-length", R, "if length >= 10 and classes >= 2 and entropy >= 3.0 and not wordy:",
             "if length >= 11 and classes >= 2 and entropy >= 3.0 and not wordy:", "a 10-character secret"),
    Mutation("medium-classes", R, "if length >= 10 and classes >= 2 and entropy >= 3.0 and not wordy:",
             "if length >= 10 and classes >= 3 and entropy >= 3.0 and not wordy:",
             "a lower-case and digits secret"),
    Mutation("medium-entropy", R, "if length >= 10 and classes >= 2 and entropy >= 3.0 and not wordy:",
             "if length >= 10 and classes >= 2 and entropy > 3.0 and not wordy:",
             "a secret of entropy exactly 3.0"),
    Mutation("wordy", R, "wordy = covered > uncovered", "wordy = covered >= uncovered",
             "a random value that is half short words"),
    Mutation("symbol-class", R, "+ any(not c.isalnum() for c in text)", "+ 0",
             "a lower-case and symbols password"),
    Mutation("separators", R, "uncovered += sum(c not in _SEPARATORS for c in run)",
             "uncovered += sum(c.isdigit() for c in run)", "symbol-heavy passwords read as words"),
    Mutation("word-width", R, "for width in range(3, min(MAX_WORD, i) + 1):",
             "for width in range(2, min(MAX_WORD, i) + 1):", "values holding two-letter words"),
    Mutation("path-case", R, r'r"|^[a-z0-9._-]*[a-z][a-z0-9._-]*(?:/[a-z0-9._-]+)+/?$"',
             r'r"|^[A-Za-z0-9._-]*[a-z][A-Za-z0-9._-]*(?:/[A-Za-z0-9._-]+)+/?$"', "base64 secrets holding /"),
    Mutation("base64-text", R, "return all(32 <= b < 127 or b in (9, 10, 13) for b in decoded)",
             "return any(32 <= b < 127 or b in (9, 10, 13) for b in decoded)", "base64 of random bytes"),
    Mutation("hex-shape", R, '_HEX = compiled(r"^(?:[0-9a-f]+|[0-9A-F]+)$")',
             '_HEX = compiled(r"^[0-9a-fA-F]+$")', ""),
    # --- the generic validator and rules
    Mutation("jws-shape", G, 'if "eyJ" in secret and _JWS_SHAPE.match(secret):',
             "if _JWS_SHAPE.match(secret):", "dotted random values"),
    Mutation("provider-prefix", G, r'r"hf_|sk-ant-|', r'r"hf_|sk-ant-|ak_|', "values starting ak_"),
    Mutation("bearer-length", Y, "[:=,][ \\t]{0,8}[\"'']?(?i:bearer|token)[ \\t]{1,8}([A-Za-z0-9._~+/-]{16,500}",
             "[:=,][ \\t]{0,8}[\"'']?(?i:bearer|token)[ \\t]{1,8}([A-Za-z0-9._~+/-]{20,500}",
             "bearer tokens of 16-19 characters"),
    Mutation("env-flag-length", Y, "([^\\s\"''`;&|<>$(){},\\\\]{8,200})",
             "([^\\s\"''`;&|<>$(){},\\\\]{12,200})", "10- and 11-character secrets in -e NAME=value"),
    # --- pairing
    Mutation("pair-distance", P, "PAIR_DISTANCE = 5", "PAIR_DISTANCE = 4", "a bare secret five lines away"),
    Mutation("pair-below", P, "last = min(lines.count(), key.line + PAIR_DISTANCE)",
             "last = min(lines.count(), key.line + PAIR_DISTANCE - 1)", "a bare secret five lines below"),
    Mutation("pair-above", P, "first = max(1, key.line - PAIR_DISTANCE)",
             "first = max(1, key.line - PAIR_DISTANCE + 1)", "a bare secret five lines above"),
    Mutation("pair-named", P, "abs(c.line - key.line) <= PAIR_DISTANCE]", "abs(c.line - key.line) < PAIR_DISTANCE]",
             ""),
    Mutation("bare-entropy", P, "_MIN_BARE_ENTROPY = 4.0", "_MIN_BARE_ENTROPY = 4.1",
             "a bare secret of entropy 4.0-4.1"),
    Mutation("bare-alphabet", P, 'rb"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"',
             'rb"(?<![A-Za-z0-9/+])[A-Za-z0-9]{40}(?![A-Za-z0-9/+=])"', "bare secrets holding / or +"),
    Mutation("companion-copies", P, "return [f for f in findings if f.companions or f.secret not in carried]",
             "return [f for f in findings if f.companions and f.secret not in carried]",
             "every unpaired finding in a file with a pair"),
    # --- decoding
    Mutation("decode-depth", D, "MAX_DEPTH = 2", "MAX_DEPTH = 1", "base64 inside base64"),
    Mutation("b64-min", D, 'rb"(?m):[ \\t]*[\\"\']?([A-Za-z0-9+/]{8,}={0,2})', 'rb"(?m):[ \\t]*[\\"\']?([A-Za-z0-9+/]{20,}={0,2})',
             "short passwords in Kubernetes Secrets"),
    Mutation("decoded-min", D, "if len(decoded) < 6 or", "if len(decoded) < 12 or",
             "passwords of 6-11 characters in base64"),
    Mutation("percent-count", D, '(b"%", _PERCENT, _PERCENT_PIECE, "percent", 2),',
             '(b"%", _PERCENT, _PERCENT_PIECE, "percent", 3),', "lines with two percent escapes"),
    Mutation("percent-range", D, '_PERCENT = compiled(rb"%[2-7][0-9A-Fa-f]")',
             '_PERCENT = compiled(rb"%[3-7][0-9A-Fa-f]")', "lines whose escapes are %20 and %22"),
    Mutation("escape-count", D, '(b"\\\\", _ESCAPE, _ESCAPE_PIECE, "escape", 1),',
             '(b"\\\\", _ESCAPE, _ESCAPE_PIECE, "escape", 3),', "JSON-escaped assignments"),
    Mutation("manifest-stdin", D, '_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json", "-")',
             '_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")', "Kubernetes Secrets read from standard input"),
    Mutation("replace-generic", D, "if same and is_generic(mapped.rule_id):", "if same:",
             "provider tokens inside encoded values"),
    Mutation("dropped-base64", D, 'return reason == "validator" and detail == BASE64_TEXT',
             'return reason == "entropy" and detail == BASE64_TEXT', "base64 values under secret-like names"),
    Mutation("context-encoding", D, "encodings = [p.encoding for p in touched if p.encoding] or around[-1:]",
             "encodings = [p.encoding for p in touched if p.encoding]", "plain secrets in percent-encoded JSON"),
    # --- the engine
    Mutation("engine-depth", C, "if depth < decode.MAX_DEPTH:", "if depth < decode.MAX_DEPTH - 1:",
             "base64 inside base64"),
    Mutation("rule-entropy", C, "if entropy < rule.entropy:", "if entropy <= rule.entropy:",
             "secrets exactly at a rule's entropy floor"),
    Mutation("dedupe", C, "if not any(_overlaps(finding, kept) for kept in kept_here):", "if not best:",
             "every finding but one per blob"),
    Mutation("overlap", C, "return a.line == b.line and a.column < b.end_column and b.column < a.end_column",
             "return a.line == b.line and a.column <= b.end_column and b.column <= a.end_column",
             "a secret right after another"),
    Mutation("keyword-blob", C, "lowered = lines.lowered()\n", "lowered = line.lower()\n",
             "multi-line matches whose keyword is on another line"),
    # --- the gate filters (through their public functions)
    Mutation("added-end", "scanner/filters/added.py", "ranges[i][0] <= line < ranges[i][0] + ranges[i][1]",
             "ranges[i][0] <= line < ranges[i][0] + ranges[i][1] - 1", "a secret on the last added line",
             GATE),
    Mutation("added-start", "scanner/filters/added.py", "i = bisect.bisect_right(ranges, (line, 1 << 62)) - 1",
             "i = bisect.bisect_left(ranges, (line, 0)) - 1", "a secret on the first added line", GATE),
    Mutation("added-paired", "scanner/filters/added.py", "spans.append((int(line), int(line)))", "pass",
             "a new secret key added next to an old key id", GATE),
    Mutation("added-span", "scanner/filters/added.py", "return i >= 0 and ranges[i][0] + ranges[i][1] > first",
             "return i >= 0 and ranges[i][0] + ranges[i][1] > last", "a changed line inside a key block", GATE),
    Mutation("added-unknown", "scanner/filters/added.py", "if ranges is None or on_added_line(finding, ranges):",
             "if ranges is not None and on_added_line(finding, ranges):", "findings outside the diff's files",
             GATE),
    Mutation("preexisting-key", "scanner/filters/preexisting.py",
             "if (finding.rule_id, secret_identity(finding.secret)) not in pairs:",
             "if finding.rule_id not in {rule for rule, _ in pairs}:", "a new secret of a rule the base held",
             GATE),
    Mutation("preexisting-companions", "scanner/filters/preexisting.py",
             "return all(secret_identity(value) in values for _, value in finding.companions)", "return True",
             "a new secret key paired with a key id the base held", GATE),
    Mutation("confidence-edge", "scanner/filters/confidence.py", "if rank[f.confidence] <= limit:",
             "if rank[f.confidence] < limit:", "every finding at exactly the minimum confidence (medium)"),
    # --- the baseline
    Mutation("baseline-companions", "scanner/baseline.py",
             'material = "\\0".join([finding.secret, *(f"{k}={v}" for k, v in sorted(finding.companions))])',
             "material = finding.secret", "a new secret key paired with a baselined key id", BASELINE),
    Mutation("baseline-key", "scanner/baseline.py", "return (self.path, self.rule_id, self.secret_hash)",
             'return (self.path, self.rule_id, "")', "a new secret of a baselined rule in the same file",
             BASELINE),
    Mutation("baseline-filter", "scanner/filters/baseline.py", "if entry is None:", "if entry is None and kept:",
             "the first finding when no entry matches", BASELINE),
)  # fmt: skip


@dataclass(slots=True)
class Outcome:
    mutation: Mutation
    status: str  # killed | survived | stale | error
    seconds: float
    detail: str = ""


def copy_checkout(target: Path) -> None:
    """The tracked and untracked (not ignored) files of the checkout: what a commit would hold."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            dest = target / name.decode()
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)


def use_tests_at(copy: Path, revision: str) -> None:
    """Replace the copy's tests with those of `revision` (to compare kill rates before and after a change)."""
    shutil.rmtree(copy / "tests")
    archive = subprocess.run(["git", "archive", revision, "tests"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(copy)], input=archive.stdout, check=True)


def apply(copy: Path, mutation: Mutation) -> str | None:
    """Apply `mutation` to the copy; the original text back, or None when the old text is gone."""
    assert "\n" not in mutation.old.rstrip("\n"), mutation.id
    path = copy / mutation.file
    original = path.read_text(encoding="utf-8")
    if original.count(mutation.old) != 1:
        return None
    path.write_text(original.replace(mutation.old, mutation.new), encoding="utf-8")
    return original


def run_one(copy: Path, mutation: Mutation, timeout: float) -> Outcome:
    started = time.monotonic()
    original = apply(copy, mutation)
    if original is None:
        return Outcome(mutation, "stale", 0.0, "old text not found exactly once")
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "--no-cov", "-x", "-q", "-p", "no:cacheprovider"]
    tests = [t for t in mutation.tests if (copy / t).exists()]
    try:
        done = subprocess.run(
            [*command, *tests], cwd=copy, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return Outcome(mutation, "killed", time.monotonic() - started, "timed out")
    finally:
        (copy / mutation.file).write_text(original, encoding="utf-8")
    seconds = time.monotonic() - started
    if done.returncode == 0:
        return Outcome(mutation, "survived", seconds)
    if done.returncode == 1:
        failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
        return Outcome(mutation, "killed", seconds, failed[0] if failed else "")
    return Outcome(mutation, "error", seconds, (done.stdout + done.stderr).strip()[-300:])


def kill_rate(outcomes: list[Outcome]) -> float:
    ran = [o for o in outcomes if o.status in ("killed", "survived")]
    return sum(o.status == "killed" for o in ran) / len(ran) if ran else 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="mutations whose file or id holds WORD")
    parser.add_argument("--list", action="store_true", help="print the mutations and exit")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant (default 300)")
    parser.add_argument("--tests-at", metavar="REV", help="run the tests of git revision REV instead")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.only or any(w in m.id or w in m.file for w in args.only)]
    if args.list:
        for m in chosen:
            print(f"{m.id:20} {m.file:36} hides: {m.hides or '-'}")
        return 0
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="secretscan-mutate-") as tmp:
        copy = Path(tmp)
        copy_checkout(copy)
        if args.tests_at:
            use_tests_at(copy, args.tests_at)
        for mutation in chosen:
            outcome = run_one(copy, mutation, args.timeout)
            outcomes.append(outcome)
            if not args.json:
                print(
                    f"{outcome.status:8} {outcome.seconds:6.1f}s {mutation.id:20} {outcome.detail[:90]}",
                    flush=True,
                )
    if args.json:
        print(json.dumps(
            {
                "kill_rate": kill_rate(outcomes),
                "mutants": [
                    {"id": o.mutation.id, "file": o.mutation.file, "status": o.status, "seconds": round(o.seconds, 1),
                     "hides": o.mutation.hides, "detail": o.detail}
                    for o in outcomes
                ],
            },
            indent=2,
        ))  # fmt: skip
    else:
        survivors = [o for o in outcomes if o.status == "survived"]
        print(f"\nkill rate {kill_rate(outcomes):.0%} ({len(outcomes)} mutations)")
        for o in survivors:
            print(
                f"survived: {o.mutation.id} ({o.mutation.file}): hides {o.mutation.hides or 'nothing at default'}"
            )
        for o in outcomes:
            if o.status in ("stale", "error"):
                print(f"{o.status}: {o.mutation.id}: {o.detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
