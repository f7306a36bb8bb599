"""A repository an audit report is made of: fifteen secrets from the rules' own pattern-valid examples,
committed over a year by four people, some removed, one copied to a second place, two triaged in a baseline
(issue 18 §2). Fixed dates and authors, so its commit ids never vary."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scanner.rules import load_rules

# (rule id, file it is committed in): each rule's first example is a secret the rule finds alone in a file.
SECRETS = (
    ("aws-access-key-id", "deploy/aws.ini"),
    ("openai-api-key", "services/ai/.env"),
    ("anthropic-api-key", "services/ai/claude.env"),
    ("huggingface-token", "notebooks/train.env"),
    ("postgres-url-password", "config/database.env"),
    ("redis-url-password", "config/cache.env"),
    ("digitalocean-token", "infra/do.env"),
    ("heroku-api-key", "infra/heroku.env"),
    ("circleci-token", ".circleci/token.env"),
    ("buildkite-token", "ci/buildkite.env"),
    ("supabase-token", "web/supabase.env"),
    ("databricks-token", "data/databricks.env"),
    ("netlify-token", "web/netlify.env"),
    ("pulumi-access-token", "infra/pulumi.env"),
)
PEOPLE = (
    "Dana Ops <dana@example.com>",
    "Lee Backend <lee@example.com>",
    "Sam Data <sam@example.com>",
    "Robin Web <robin@example.com>",
)


def example(rule_id: str) -> str:
    rule = next(r for r in load_rules() if r.id == rule_id)
    return rule.examples[0].text


def _git(repo: Path, *args: str, when: str = "2024-01-01T12:00:00+00:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout.strip()


def _commit_all(repo: Path, author: str, message: str, when: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--author", author, "-m", message, when=when)


def build_audit_repo(repo: Path) -> Path:
    """Commit each secret in its own commit, a month apart from 2023-03; copy one to a second file; remove
    three at the end. Returns `repo`."""
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "README.md").write_text("# shop\n")
    for i, (rule_id, path) in enumerate(SECRETS):
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(example(rule_id) + "\n")
        year, month = 2023 + (2 + i) // 12, (2 + i) % 12 + 1
        message = f"add {path.rsplit('/', 1)[-1]} for {rule_id.split('-')[0]}"
        _commit_all(repo, PEOPLE[i % len(PEOPLE)], message, f"{year}-{month:02d}-14T10:00:00+00:00")
    # The same OpenAI key pasted into a second service: one secret, two places.
    (repo / "services/search/.env").parent.mkdir(parents=True, exist_ok=True)
    copied = (repo / "services/ai/.env").read_text()
    (repo / "services/search/.env").write_text("# copied from services/ai\n" + copied)
    _commit_all(repo, PEOPLE[1], "search service config", "2024-06-02T09:00:00+00:00")
    for path in ("infra/do.env", "ci/buildkite.env", "data/databricks.env"):
        (repo / path).unlink()
    _commit_all(repo, PEOPLE[0], "remove leaked tokens", "2024-07-01T09:00:00+00:00")
    return repo
