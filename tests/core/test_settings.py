"""A bad setting stops start-up with one line that names it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.core.settings import ConfigurationError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def _start_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ACCOUNTS_")}
    return subprocess.run(
        [sys.executable, "-m", "service.main"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_bad_port_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = _start_with({"ACCOUNTS_PORT": "not-a-port", "ACCOUNTS_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "ACCOUNTS_PORT" in lines[0]


def test_production_without_jwt_secret_refuses_to_start(tmp_path: Path) -> None:
    result = _start_with({"ACCOUNTS_ENV": "production", "ACCOUNTS_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "ACCOUNTS_JWT_SECRET" in result.stderr


def test_short_jwt_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ACCOUNTS_JWT_SECRET"):
        load_settings(jwt_secret="too-short", data_dir=tmp_path)


def test_local_secrets_are_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings(data_dir=tmp_path, _env_file=None)
    second = load_settings(data_dir=tmp_path, _env_file=None)
    assert first.jwt_secret == second.jwt_secret
    assert first.data_key == second.data_key
    assert first.jwt_secret != first.data_key


def test_production_turns_graphiql_and_introspection_off(tmp_path: Path) -> None:
    settings = load_settings(
        env="production", jwt_secret="j" * 32, data_key="d" * 32, data_dir=tmp_path
    )
    assert settings.graphiql_enabled is False
    assert settings.introspection_enabled is False
