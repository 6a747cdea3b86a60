"""The repository's layout: no top-level pages/ folder, and nothing in it that points outside it
(a county that clones the project has only what is in the repository)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THIS = Path(__file__).resolve()

# Names of documents and folders that exist only outside the repository. Spelt in pieces, so
# that a plain grep for them over the repository finds nothing here either.
OUTSIDE = tuple(name.upper() + ".md" for name in ("contract", "design", "style")) + (
    "../" + "shared",
    "source" + "-article",
)
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


def tracked_files() -> list[Path]:
    """The files git tracks (the tree as a clone has it), else every file outside the ignored
    folders."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True
        ).stdout.decode("utf-8")
        files = [ROOT / name for name in out.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "__pycache__", "store", "demo", "artifacts", "results"}
        files = [p for p in ROOT.rglob("*") if not skip & set(p.relative_to(ROOT).parts)]
    return [p for p in files if p.is_file()]


def text_files() -> list[tuple[Path, str]]:
    out = []
    for path in tracked_files():
        if path.resolve() == THIS:
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            out.append((path, data.decode("utf-8")))
        except UnicodeDecodeError:
            continue
    return out


def test_no_top_level_pages_folder():
    # Streamlit runs a top-level pages/*.py directly, without app.py and its login, until the
    # first st.navigation() of the process: the pages live in views/ (docs/architecture.md).
    assert not (ROOT / "pages").exists(), (
        "a top-level pages/ folder would be served past app.py's login; put pages in views/"
    )


def test_no_path_outside_the_repository_is_named():
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}"
        for path, text in text_files()
        for n, line in enumerate(text.splitlines(), start=1)
        if any(name in line for name in OUTSIDE)
    ]
    assert not found, "documents outside the repository named in:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "path",
    [p for p, _ in text_files() if p.suffix == ".md"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_markdown_links_stay_inside_the_repository(path):
    broken = []
    for target in MD_LINK.findall(path.read_text("utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a URL (http:, mailto:) or an anchor in the same file
        resolved = (path.parent / target.split("#")[0]).resolve()
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(target)
    assert not broken, f"{path.relative_to(ROOT)} links outside the repository or to nothing: {broken}"


def test_only_the_ui_package_imports_streamlit():
    """The layers below ui (metrics, charts, kpis, ingest, ...) run without Streamlit: the command
    line, the briefing and the tests call them directly."""
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "dashboard").rglob("*.py"))
        if "ui" not in path.relative_to(ROOT / "dashboard").parts[:1]
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if re.match(r"\s*(import streamlit|from streamlit)", line)
    ]
    assert found == []


def test_the_proxys_policy_allows_the_phone_scripts_by_hash():
    """nginx's Content-Security-Policy names the hash of each text of the script that closes
    the sidebar on a phone: a changed script without a new hash would be blocked behind it."""
    from dashboard.ui import phone

    conf = (ROOT / "deploy" / "nginx.conf.template").read_text("utf-8")
    policy = next(
        line for line in conf.splitlines() if "Content-Security-Policy" in line and "add_header" in line
    )
    for h in phone.script_hashes():
        assert h in policy, h
