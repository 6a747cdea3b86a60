"""Hostile files (issue 11 item 1): each refused at once with a clear message (limit, file,
row), within 30 s and 1 GB of peak memory, versions unchanged, the store lock free; and no
file is read while the store's lock is held."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from dashboard import ingest
from dashboard.store import Store

from conftest import write_county

ROOT = Path(__file__).resolve().parent.parent

CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WB = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="单位党组织" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WBRELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
HEAD = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>unit_id</t></is></c><c r="B1" t="inlineStr"><is>'
    b'<t>name</t></is></c><c r="C1" t="inlineStr"><is><t>kind</t></is></c></row>'
)


def workbook(path: Path, body, dimension: str | None = None) -> Path:
    """A minimal xlsx of the units table written by hand: header row, then `body(f)`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB)
        z.writestr("xl/_rels/workbook.xml.rels", WBRELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            if dimension:
                f.write(f'<dimension ref="{dimension}"/>'.encode())
            f.write(b"<sheetData>" + HEAD)
            body(f)
            f.write(b"</sheetData></worksheet>")
    return path


def short_rows(n: int):
    def body(f):
        for start in range(2, n + 2, 100_000):
            f.write(
                b"".join(
                    b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i)
                    for i in range(start, min(start + 100_000, n + 2))
                )
            )

    return body


def one_row(xml: bytes):
    return lambda f: f.write(xml)


def hostile(tmp: Path, kind: str) -> Path:
    if kind == "wide_csv":
        path = tmp / "units.csv"
        path.write_text("unit_id,name,kind\n" + ",".join(["x"] * 100_000) + "\n")
    elif kind == "wide_csv_later":
        path = tmp / "units.csv"
        path.write_text(
            "unit_id,name,kind\n"
            + "".join(f"U{i},单位,county\n" for i in range(40))
            + ",".join(["x"] * 100_000)
            + "\n"
        )
    elif kind == "long_cell_csv":
        path = tmp / "units.csv"
        path.write_text("unit_id,name,kind\nU9," + "名" * 5000 + ",county\n")
    elif kind == "long_cell_csv_later":
        path = tmp / "units.csv"
        path.write_text(
            "unit_id,name,kind\n"
            + "".join(f"U{i},单位,county\n" for i in range(20))
            + "U9,"
            + "名" * 5000
            + ",county\n"
        )
    elif kind == "one_line_csv":  # 300 MB in one line: never held whole
        path = tmp / "units.csv"
        with open(path, "w") as f:
            f.write("unit_id,name,kind\nU1,")
            for _ in range(300):
                f.write("x" * 1_000_000)
            f.write(",county\n")
    elif kind == "gap":
        path = workbook(
            tmp / "gap.xlsx",
            one_row(b'<row r="10000000"><c r="A10000000" t="inlineStr"><is><t>U1</t></is></c></row>'),
        )
    elif kind == "too_many_rows":
        path = workbook(tmp / "rows.xlsx", short_rows(EXCEL_ROWS + 10))
    elif kind == "declared_too_many":
        path = workbook(tmp / "declared.xlsx", short_rows(1000), dimension="A1:C6600000")
    elif kind == "beyond_declared":
        path = workbook(tmp / "small.xlsx", short_rows(50_000), dimension="A1:C3")
    elif kind == "huge_cell":
        path = workbook(
            tmp / "cell.xlsx",
            one_row(
                b'<row r="2"><c r="B2" t="inlineStr"><is><t>' + b"x" * 100_000_000 + b"</t></is></c></row>"
            ),
        )
    elif kind == "far_column":
        path = workbook(
            tmp / "far.xlsx", one_row(b'<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>')
        )
    return path


EXCEL_ROWS = 1_048_576
CASES = [  # kind, words of the English message, row, column
    ("wide_csv", "100000 cells, more than the limit", 2, None),
    ("wide_csv_later", "more than the limit", 42, None),
    ("long_cell_csv", "too long (5000 characters, limit 2000)", 2, "B"),
    ("long_cell_csv_later", "too long (5000 characters, limit 2000)", 22, "name"),
    ("gap", "beyond Excel's limit of 1048576 rows", 10_000_000, None),
    ("one_line_csv", "too long", 2, "B"),
    ("too_many_rows", "more rows than Excel's limit", EXCEL_ROWS + 1, None),
    ("declared_too_many", "declares 6600000 rows", None, None),
    ("beyond_declared", "beyond the sheet's declared size", 4, None),
    ("huge_cell", "too long (100000000 characters", 2, "B"),
    ("far_column", "more than the limit of 256 columns", 2, "XFD"),
]


def lock_is_free(store: Store) -> bool:
    with open(store.root / "lock", "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(f, fcntl.LOCK_UN)
        return True


@pytest.fixture
def county(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "base")], store).version == 1
    return store


@pytest.mark.slow
@pytest.mark.parametrize("kind,words,row,column", CASES)
def test_hostile_file_is_refused_fast_in_little_memory(tmp_path, county, kind, words, row, column):
    path = hostile(tmp_path, kind)
    if kind != "one_line_csv":
        assert path.stat().st_size < 6_000_000  # small files, every one of them
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--store", str(county.root), "load", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate(timeout=120)
    took = time.monotonic() - t0
    assert proc.returncode == 1, err
    assert "Traceback" not in err and words in err, err
    assert path.name in err
    if row is not None:
        assert f"row {row}" in err
    if column is not None:
        assert f"column {column}" in err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err)
    assert took < 30, took
    assert [v["version"] for v in county.versions()] == [1] and county.current() == 1
    assert lock_is_free(county)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["wide_csv", "too_many_rows", "huge_cell", "one_line_csv"])
def test_hostile_file_peak_memory_under_1gb(tmp_path, county, kind):
    path = hostile(tmp_path, kind)
    # A child that runs the command line in a grandchild and reports its peak memory.
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            sys.executable,
            "-m",
            "dashboard",
            "--store",
            str(county.root),
            "load",
            str(path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    peak_mb = int(out.stdout.strip().splitlines()[-1]) / 1024
    assert peak_mb < 1024, peak_mb
    assert county.current() == 1


def test_no_file_is_read_under_the_store_lock(tmp_path, county, monkeypatch):
    """While a load is still reading its files, pin (which takes the lock) goes through."""
    reading, pinned = threading.Event(), threading.Event()
    real = ingest.read_csv

    def slow_read(*args, **kwargs):
        reading.set()
        pinned.wait(20)  # a huge file, still being read
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "read_csv", slow_read)
    result = {}
    worker = threading.Thread(
        target=lambda: result.setdefault("res", ingest.load([write_county(tmp_path / "again")], county))
    )
    worker.start()
    assert reading.wait(20)
    pin = threading.Thread(target=county.pin, args=(1, "meeting"))
    pin.start()
    pin.join(10)
    ok = not pin.is_alive()
    pinned.set()
    worker.join(60)
    pin.join(10)
    assert ok, "pin waited for a load that was only reading its files"
    assert county.pins()["1"]["label"] == "meeting"
    assert result["res"].ok
