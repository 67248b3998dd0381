"""The command-line interface, run as real processes (manage.py) against a temporary database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _manage_in(workdir: Path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "badges_service.settings.test",
           "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
           # one key-encryption key for all the processes of this test
           "BADGES_KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode()}

    def run(*args, stdin: bytes | None = None):
        return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                              input=stdin, capture_output=True, timeout=120, check=False)

    assert run("migrate", "--noinput", "-v0").returncode == 0
    return run


@pytest.fixture(scope="module")
def manage(tmp_path_factory):
    return _manage_in(tmp_path_factory.mktemp("cli"))


def test_seed_demo_is_idempotent(manage):
    first = manage("seed_demo")
    second = manage("seed_demo")
    assert first.returncode == second.returncode == 0
    assert b"0 issuers and 0 achievements created, 0 frameworks imported, 11 alignments set" in second.stdout
    assert b"0 agents and 0 credentials created" in second.stdout
    assert b"passwords shown once" in first.stdout and b"passwords shown once" not in second.stdout
    rows = json.loads(manage("list_achievements", "--json").stdout)
    assert len(rows) == len({r["slug"] for r in rows}) >= 5


def test_the_demo_accounts_sign_in_with_the_passwords_printed_once(tmp_path):
    manage = _manage_in(tmp_path)  # a database of its own: the passwords are printed by the first seed only
    out = manage("seed_demo").stdout.decode()
    passwords = dict(line.split()[:2] for line in out.split("passwords shown once):\n")[1].splitlines() if line.strip())
    script = ("from django.contrib.auth import authenticate; import sys; "
              "from learners.policy import roles_of; "
              f"u = authenticate(username='camille.martin', password={passwords['camille.martin']!r}); "
              f"m = authenticate(username='manager.drh', password={passwords['manager.drh']!r}); "
              "print(u is not None and roles_of(u).is_learner, m is not None and roles_of(m).is_manager)")
    shown = manage("shell", "-c", script)
    assert shown.stdout.splitlines()[-1].split() == [b"True", b"True"], shown.stderr


def test_list_achievements_json_has_slug_issuer_name_id(manage):
    manage("seed_demo")
    rows = json.loads(manage("list_achievements", "--json").stdout)
    assert all(set(r) == {"slug", "issuer", "name", "id"} for r in rows)
    assert all(r["id"].endswith("/achievements/" + r["slug"]) for r in rows)


def test_issue_then_verify_round_trip_with_exit_codes(manage, tmp_path):
    manage("seed_demo")
    slug = json.loads(manage("list_achievements", "--json").stdout)[0]["slug"]
    issued = manage("issue_badge", "--achievement", slug, "--recipient", "camille@ville-exemple.fr",
                    "--name", "Camille")
    assert issued.returncode == 0, issued.stderr
    credential = json.loads(issued.stdout)
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"

    path = tmp_path / "badge.json"
    path.write_bytes(issued.stdout)
    ok = manage("verify_credential", str(path))
    assert ok.returncode == 0 and json.loads(ok.stdout)["valid"] is True

    credential["name"] = "Autre"
    tampered = manage("verify_credential", "-", stdin=json.dumps(credential).encode())
    assert tampered.returncode == 1 and json.loads(tampered.stdout)["status"] == "invalid"

    unreadable = manage("verify_credential", "-", stdin=b"\x89PNG not json")
    assert unreadable.returncode == 2 and json.loads(unreadable.stdout)["checks"][0]["result"] == "failed"
    missing = manage("verify_credential", str(tmp_path / "absent.json"))
    assert missing.returncode == 2


def test_issue_badge_with_an_unknown_achievement_fails_clearly(manage):
    result = manage("issue_badge", "--achievement", "inconnu", "--recipient", "a@ville-exemple.fr")
    assert result.returncode != 0 and b"inconnu" in result.stderr
