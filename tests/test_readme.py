"""The README's Quickstart commands are the ones CI and users run."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _quickstart_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", section, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_quickstart_has_two_commands_main_job_and_tests():
    commands = _quickstart_commands()
    assert len(commands) == 2, commands
    main_job, tests = commands
    assert "examples/summit_2019.py" in main_job
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    assert _quickstart_commands()[1] in ci.splitlines()


def test_example_named_in_quickstart_exists():
    assert (REPO / "examples" / "summit_2019.py").exists()
