"""The commands the README and the docs show work as written (issue 23 §6).

Every command of a shell block (```bash, or a block indented by four spaces) of README.md,
deploy/README.md, benchmarks/README.md and docs/*.md is checked without acting:

- `.venv/bin/python -m dashboard …`: parsed by the CLI's own parser (options, subcommands and
  their values as typed, so `--state` after the subcommand or `user list | remove NAME` fail);
- `.venv/bin/python -m benchmarks.X …`, `-m pytest`, `-m streamlit`: the module's `--help`;
- `bash FILE …`: the file exists in the repository and `bash -n` parses it;
- `.venv/bin/streamlit run FILE …`: the file exists.

A pipe feeding a command (`echo 'pw' | … user add`) is split off: what runs is the last part.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "deploy" / "README.md", ROOT / "benchmarks" / "README.md"]
DOCS += sorted((ROOT / "docs").glob("*.md"))
STARTS = (".venv/bin/python", "bash ", ".venv/bin/streamlit", "python ", "python3 ")


def shell_lines(text: str) -> list[tuple[int, str]]:
    """(line number, command) of every command in the text's shell blocks, continuation lines
    joined and comments dropped."""
    out: list[tuple[int, str]] = []
    lines = text.splitlines()
    fence = None
    pending, start = "", 0
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = None if fence is not None else stripped[3:].strip()
            continue
        in_block = fence in ("bash", "sh", "shell") or (fence is None and line.startswith("    "))
        if not in_block:
            continue
        if not pending:
            start = n
        pending += " " + stripped
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        command, pending = pending.strip(), ""
        command = re.sub(r"\s+#\s.*$", "", command)  # a trailing comment
        if command.startswith(STARTS) or " | .venv/bin/python" in command:
            out.append((start, command))
    return out


def cases():
    for doc in DOCS:
        for n, command in shell_lines(doc.read_text(encoding="utf-8")):
            yield pytest.param(command, id=f"{doc.relative_to(ROOT)}:{n}")


def last_stage(command: str) -> list[str]:
    """The argv of a pipeline's last command (`a | b` -> b), and of the first of `a && b`,
    without its redirections."""
    command = command.split(" && ")[0]
    parts = shlex.split(command, posix=True)
    while "|" in parts:
        parts = parts[parts.index("|") + 1 :]
    for redirect in (">", ">>", "<"):
        if redirect in parts:
            parts = parts[: parts.index(redirect)]
    return parts


@pytest.mark.parametrize("command", list(cases()))
def test_a_documented_command_works_as_written(command):
    argv = last_stage(command)
    assert argv, command
    head = argv[0]
    if head in ("python", "python3"):
        pytest.fail(f"bare `{head}` in a documented command (the project's is .venv/bin/python): {command}")
    if head == "bash":
        script = ROOT / argv[1]
        assert script.is_file(), f"{command}: no {argv[1]} in the repository"
        subprocess.run(["bash", "-n", str(script)], check=True)
        return
    if head == ".venv/bin/streamlit":
        assert argv[1] == "run" and (ROOT / argv[2]).is_file(), command
        return
    assert head == ".venv/bin/python" and argv[1] == "-m", command
    module, args = argv[2], argv[3:]
    if module == "dashboard":
        try:
            cli.build_parser().parse_args(args)
        except SystemExit as exc:
            pytest.fail(f"the CLI refuses the documented command (exit {exc.code}): {command}")
        return
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{command}: `-m {module} --help` failed:\n{done.stderr[-800:]}"


def test_the_readme_opens_with_its_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```bash\n(.*?)```", text, re.S).group(1).splitlines()
    assert [line.split("#")[0].strip() for line in first] == ["bash scripts/demo.sh", "bash scripts/test.sh"]


def test_the_checker_sees_the_mistakes_it_is_for():
    # The two forms issue 23 found in the README: a shell pipe of alternatives, a bare python.
    block = "```bash\n.venv/bin/python -m dashboard user list | remove NAME\n```\n"
    ((_, command),) = shell_lines(block)
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(last_stage(command))
    block = "```bash\npython -m dashboard versions   # history\n```\n"
    assert shell_lines(block) == [(2, "python -m dashboard versions")]
    # --state after the subcommand is not an option of the subcommand.
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["user", "list", "--state", "/tmp/x"])


def test_the_deploy_quick_start_refuses_to_serve_a_page_with_no_way_in(tmp_path, demo_store):
    # Behind nginx there is no open mode: with no data, or no users, run.sh says what to do first.
    def run(store, state):
        return subprocess.run(
            ["bash", str(ROOT / "deploy" / "run.sh"), "--store", str(store), "--state", str(state),
             "--run-dir", str(tmp_path / "run"), "--port", "1", "--replica-port", "2"],
            capture_output=True, text=True, timeout=60,
            env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable},
        )  # fmt: skip

    (tmp_path / "empty").mkdir()
    done = run(tmp_path / "empty", tmp_path / "state")
    assert done.returncode == 1 and "has no data yet" in done.stderr and " load " in done.stderr
    done = run(demo_store.root, tmp_path / "state")
    assert (
        done.returncode == 1 and "has no users" in done.stderr and "user add NAME --role admin" in done.stderr
    )


def test_every_module_of_the_dashboard_is_named_in_the_architecture():
    # A newcomer finds a module from the architecture's table or its layer drawing.
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = ROOT / "dashboard"
    names = {p.stem for p in package.glob("*.py") if not p.stem.startswith("__")}
    names |= {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    missing = sorted(n for n in names if not re.search(rf"`{n}(/|\.py)?`|dashboard/{n}(/|\.py)", text))
    assert not missing, f"docs/architecture.md does not name: {missing}"
