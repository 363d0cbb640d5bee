"""`spacy project run report`: figures published with the provenance project.lock and git prove, publishing
twice gives the same bytes, and what is committed carries no machine path and agrees with the README."""

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
import srsly

from animal_verifier_train.reports.provenance import strip_local_paths
from animal_verifier_train.reports.publish import BEGIN, END, publish, read_reports

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {"speed": ("training/speed.json", "Speed of something")}
FIGURES = {"pairs_per_s": 49.3, "model": "/tmp/fresh2/training/pipeline"}


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def project(tmp_path) -> Path:
    """A committed script, the figure file it wrote under training/ and the lock entry weasel would keep."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts/speed.py").write_text("print('fast')\n")
    (tmp_path / "README.md").write_text(f"# x\n\n## Figures\n\n{BEGIN}\nold\n{END}\n\nafter\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "script")
    (tmp_path / "training").mkdir()
    (tmp_path / "training/speed.json").write_text(json.dumps(FIGURES))
    lock = {
        "bench-speed": {
            "cmd": "python -m weasel run bench-speed",
            "script": ["python scripts/speed.py --model /work/x/training/pipeline"],
            "deps": [{"path": "scripts/speed.py", "md5": md5(tmp_path / "scripts/speed.py")}],
            "outs": [{"path": "training/speed.json", "md5": md5(tmp_path / "training/speed.json")}],
        }
    }
    srsly.write_yaml(tmp_path / "project.lock", lock)
    return tmp_path


def test_a_report_names_the_commit_the_command_and_no_machine_path(project):
    done = publish(project, sources=SOURCES)
    report = json.loads((project / "reports/speed.json").read_text())
    prov = report["provenance"]
    assert prov["commit"] == git(project, "rev-parse", "HEAD")
    assert prov["command"] == "spacy project run bench-speed"
    assert prov["script"] == ["python scripts/speed.py --model training/pipeline"]
    assert prov["machine"]["cores"] >= 1 and prov["machine"]["cpu"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", prov["date"])
    assert report["figures"] == {"pairs_per_s": 49.3, "model": "training/pipeline"}
    readme = (project / "README.md").read_text()
    assert "pairs_per_s 49.3" in readme and "old" not in readme and readme.endswith(f"{END}\n\nafter\n")
    assert {"reports/speed.json", "reports/README.md", "README.md"} <= set(done.written)


def test_publishing_twice_changes_nothing_the_second_time(project):
    publish(project, sources=SOURCES)
    before = {p: p.read_bytes() for p in [*project.glob("reports/*"), project / "README.md"]}
    again = publish(project, sources=SOURCES)
    assert again.written == []
    assert {p: p.read_bytes() for p in before} == before


def test_a_later_commit_that_touches_no_input_keeps_the_commit_measured(project):
    measured = git(project, "rev-parse", "HEAD")
    (project / "other.txt").write_text("unrelated\n")
    git(project, "add", "other.txt")
    git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "unrelated")
    publish(project, sources=SOURCES)
    assert json.loads((project / "reports/speed.json").read_text())["provenance"]["commit"] == measured


def test_a_figure_whose_input_changed_since_is_not_published(project):
    (project / "scripts/speed.py").write_text("print('faster')\n")
    done = publish(project, sources=SOURCES)
    assert not (project / "reports/speed.json").exists()
    assert any("scripts/speed.py" in note and "rerun `spacy project run bench-speed`" in note for note in done.notes)


def test_an_uncommitted_input_is_not_a_commit_measured(project):
    (project / "scripts/speed.py").write_text("print('faster')\n")
    lock = srsly.read_yaml(project / "project.lock")
    lock["bench-speed"]["deps"][0]["md5"] = md5(project / "scripts/speed.py")
    srsly.write_yaml(project / "project.lock", lock)
    done = publish(project, sources=SOURCES)
    assert not (project / "reports/speed.json").exists()
    assert any("commit them first" in note for note in done.notes)


def test_a_figure_file_not_written_by_the_recorded_run_is_not_published(project):
    (project / "training/speed.json").write_text(json.dumps({"pairs_per_s": 99.0}))
    done = publish(project, sources=SOURCES)
    assert not (project / "reports/speed.json").exists()
    assert any("not the file `bench-speed` wrote last" in note for note in done.notes)


def test_outside_a_git_checkout_nothing_is_traced_and_nothing_crashes(tmp_path):
    (tmp_path / "README.md").write_text("# x\n")
    (tmp_path / "training").mkdir()
    (tmp_path / "training/speed.json").write_text("{}")
    done = publish(tmp_path, sources=SOURCES)
    assert not (tmp_path / "reports/speed.json").exists()
    assert any("nothing can be traced" in note for note in done.notes)


def test_missing_figure_files_and_lock_are_notes_not_errors(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "README.md").write_text("# x\n")
    done = publish(tmp_path, sources=SOURCES)
    assert any("no training/speed.json" in note for note in done.notes)
    assert any("no project.lock" in note for note in done.notes)
    assert any("no figures block" in note for note in done.notes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/tmp/fresh2/training/pipeline", "training/pipeline"),
        ("--model /work/main/training/pipeline --x 1", "--model training/pipeline --x 1"),
        ("/root/.cache/x.py:12: UserWarning", "<local path>:12: UserWarning"),
        ("../training/pipeline", "../training/pipeline"),
        ("https://example.org/assets/x.jpg", "https://example.org/assets/x.jpg"),
        ("/usr/share/wordnet", "/usr/share/wordnet"),
    ],
)
def test_machine_paths_are_stripped(text, expected):
    assert strip_local_paths(text) == expected


# --- what is committed ---------------------------------------------------------------------------------------

#: Absolute paths of one machine (a checkout, a temporary or home folder).
MACHINE_PATH = re.compile(r"(?<![\w./:~-])/(?:work|tmp|home|root)/")


def committed_text_files() -> list[Path]:
    try:
        listed = git(ROOT, "ls-files").splitlines()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    # tests/ name such paths on purpose (to refuse them); .gitignore's patterns are relative to the repo
    return [
        ROOT / rel for rel in listed if not rel.startswith("tests/") and rel != ".gitignore" and (ROOT / rel).is_file()
    ]


def test_no_committed_text_file_carries_a_machine_path():
    found = []
    for path in committed_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in MACHINE_PATH.finditer(text)]
    assert not found, f"machine paths committed: {found[:10]}"


def test_every_committed_report_says_when_where_what_and_which_commit():
    reports = read_reports(ROOT / "reports")
    assert reports, "no reports/ (run `spacy project run report`)"
    for name, report in reports.items():
        prov = report["provenance"]
        assert set(prov) >= {"command", "commit", "date", "machine", "source"}, name
        assert re.fullmatch(r"[0-9a-f]{40}", prov["commit"]), name
        assert prov["machine"]["cores"] >= 1 and prov["machine"]["cpu"], name


def numbers_in_reports() -> set[float]:
    found: set[float] = set()

    def walk(value) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, (int, float)):
            found.add(float(value))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for report in read_reports(ROOT / "reports").values():
        walk(report)
    return found


def figures_section(readme: str) -> str:
    start = readme.index("\n## Figures\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else len(readme)]


def test_every_number_in_the_readme_figures_appears_in_a_report():
    """The Figures section is written by `report` from reports/; a number edited in by hand fails here."""
    section = figures_section((ROOT / "README.md").read_text(encoding="utf-8"))
    section = re.sub(r"`[^`]*`", "", section)  # file names, dates, commits, commands
    known = numbers_in_reports()
    stale = []
    for match in re.finditer(r"(?<![\w.-])(\d+(?:\.\d+)?)(%?)", section):
        value = float(match.group(1))
        candidates = {value, value / 100} if match.group(2) else {value}
        if not any(abs(c - k) < 1e-9 for c in candidates for k in known):
            stale.append(match.group(0))
    assert not stale, f"README Figures numbers found in no reports/ file: {stale}"


def test_the_readme_figures_block_is_the_one_report_writes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme and END in readme
    from animal_verifier_train.reports.publish import figures_markdown

    block = readme.split(BEGIN, 1)[1].split(END, 1)[0]
    assert block == f"\n\n{figures_markdown(read_reports(ROOT / 'reports'))}\n", "run `spacy project run report`"


def test_no_readme_figure_is_a_missing_value():
    """A headline that reads a key its report does not have prints `None` (`RSS None MiB`): give it a headline."""
    section = figures_section((ROOT / "README.md").read_text(encoding="utf-8"))
    assert not re.search(r"\bNone\b", section), [line for line in section.splitlines() if "None" in line]
