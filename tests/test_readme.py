"""The README's commands work as written: the cheap ones (the `verify` example, `infer-ner`, the Python snippet) run
against the test pipeline standing in for the checkout's training/pipeline, and every command line sits behind
`.venv/bin/` or the block's `source .venv/bin/activate`, so a fresh shell after the two commands runs it. Every
repository path, `module.name` and script option the README and docs/ quote still exists."""

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

import animal_verifier.pipeline
from animal_verifier.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
#: What a fresh shell has: the two commands, then `.venv/bin/...` (or `source .venv/bin/activate` first)
#: and a new venv of the user's own (the light runtime's install line)
FRESH_SHELL = ("bash ", ".venv/bin/", "$ .venv/bin/", "source .venv/bin/activate", "flock ", "python3.11 -m venv ")


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README) if lang == language]


def shell_lines() -> list[list[str]]:
    """The command lines of each bash block (comments and continuations dropped)."""
    found = []
    for body in blocks("bash"):
        text = body.replace("\\\n", " ")
        found.append([line.split("  #")[0].strip() for line in text.splitlines() if line.strip()])
    return found


@pytest.fixture
def checkout_pipeline(monkeypatch, full_pipeline):
    """The test pipeline where `animal_verifier.load()` and the CLI look by default (training/pipeline)."""
    monkeypatch.setattr(animal_verifier.pipeline, "CHECKOUT_PIPELINE", full_pipeline)
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("ANIMAL_VERIFIER_MODEL", raising=False)
    return full_pipeline


def test_every_readme_command_runs_in_a_fresh_shell():
    """A bare `animal-verifier` or `python` line fails in a fresh shell unless the block activates .venv first."""
    bare = []
    for lines in shell_lines():
        activated = any(line.startswith("source .venv/bin/activate") for line in lines)
        bare += [line for line in lines if not activated and not line.startswith(FRESH_SHELL)]
    assert not bare, f"README commands that need .venv/bin/ (or `source .venv/bin/activate`): {bare}"


def cli_args(prefix: str) -> list[list[str]]:
    """Arguments of the README's `animal-verifier <prefix>` lines, in the order they appear."""
    found = []
    for lines in shell_lines():
        for line in lines:
            for start in ("animal-verifier ", ".venv/bin/animal-verifier "):
                if line.startswith(start + prefix):
                    found.append(shlex.split(line[len(start) :]))
    head = re.search(r"^\$ \.venv/bin/animal-verifier (.*)$", README, re.M)
    if head and head.group(1).startswith(prefix):
        found.insert(0, shlex.split(head.group(1)))
    return found


def test_the_verify_examples_run(checkout_pipeline):
    examples = cli_args("verify")
    assert len(examples) >= 2
    for args in examples:
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, f"{args}: {result.output}"
    first = CliRunner().invoke(app, examples[0]).output
    assert "Extracted entities: ['cat']" in first and "Matching result: False" in first


def test_the_infer_ner_example_runs(checkout_pipeline):
    (args,) = cli_args("infer-ner")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "puppies" in result.output and "cat" in result.output


def test_the_python_snippet_runs(checkout_pipeline, capsys):
    (snippet,) = blocks("python")
    exec(compile(snippet, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed == ["A cow. True", "A cat. False"]


# --- what the README and docs/ name exists --------------------------------------------------------------------

DOCS = {"README.md": README, **{f"docs/{p.name}": p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md")}}
#: A repository path quoted in prose or a command (`animal_verifier/serve/app.py`, `scripts/x.py`, `tests/...`)
QUOTED_PATH = re.compile(
    r"(?<![\w/.-])((?:animal_verifier|animal_verifier_train|scripts|bench|tests|configs|docs|metas|notebooks)/[\w./-]*\w)"
)
#: A dotted name in the packages (`animal_verifier.verify.results.doc_to_result`, `...serve.app:app_from_env`);
#: registry names (`animal_verifier.lexicon.v1`) are not Python names
DOTTED = re.compile(r"(?<![\w./-])(animal_verifier(?:_train)?(?:[.:][A-Za-z_]\w*)+)(?![\w-])")
FROM_IMPORT = re.compile(r"^from (animal_verifier(?:_train)?[\w.]*) import ([\w, ]+)$", re.M)


def without_generated_figures(text: str) -> str:
    """The README's Figures block quotes the commands of past runs (their outputs then), not today's paths."""
    from animal_verifier_train.reports.publish import BEGIN, END

    return re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), "", text, flags=re.S)


def module_file(dotted: str) -> tuple[Path | None, list[str]]:
    """The source file of the longest module prefix of ``dotted``, and the names after it."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:end])
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate, parts[end:]
    return None, parts


def defines(source: Path, name: str) -> bool:
    text = source.read_text(encoding="utf-8")
    pattern = (
        rf"^\s*(?:def|class|async def) {name}\b|^\s*{name}\s*[:=]|^from \S+ import .*\b{name}\b|^import .*\b{name}\b"
        rf"|^__all__ = .*[\"']{name}[\"']"  # a package's lazy export (animal_verifier.load)
    )
    return re.search(pattern, text, re.M) is not None


def test_every_repository_path_quoted_in_the_readme_and_docs_exists():
    missing = []
    for doc, text in DOCS.items():
        for path in QUOTED_PATH.findall(without_generated_figures(text)):
            found = any(ROOT.glob(path)) if "*" in path else (ROOT / path).exists()
            if not found:
                missing.append(f"{doc}: {path}")
    assert not missing, f"paths the docs quote that the repository does not have: {missing}"


def test_every_module_and_name_quoted_in_the_readme_and_docs_exists():
    """`module.function` and `from module import name` in the docs name something the code still defines."""
    quoted = []
    for doc, text in DOCS.items():
        quoted += [(doc, name.replace(":", ".")) for name in DOTTED.findall(text) if not re.search(r"\.v\d+$", name)]
        for module, names in FROM_IMPORT.findall(text):
            quoted += [(doc, f"{module}.{name.strip()}") for name in names.split(",") if name.strip()]
    assert quoted
    stale = []
    for doc, dotted in quoted:
        source, rest = module_file(dotted)
        if source is None or (rest and not defines(source, rest[0])):
            stale.append(f"{doc}: {dotted}")
    assert not stale, f"names the docs quote that the code no longer defines: {stale}"


def test_every_script_option_quoted_in_the_readme_and_docs_exists():
    """`python scripts/x.py --opt` and `bench/x.py --opt`: the script still declares `--opt` (typer derives an
    option from a parameter name, `--test-path` from `test_path`, or names it as a string)."""
    command = re.compile(r"((?:scripts|bench)/\w+\.py)((?:[ \t]+(?!#)[^\s`|;&)]+)*)")
    unknown = []
    for doc, text in DOCS.items():
        for script, args in command.findall(without_generated_figures(text).replace("\\\n", " ")):
            source = (ROOT / script).read_text(encoding="utf-8")
            if "from animal_verifier.cli import app" in source:  # the original entry point: `verify`'s options
                source += (ROOT / "animal_verifier/cli.py").read_text(encoding="utf-8")
            for option in re.findall(r"(?<!\S)--([\w-]+)", args):
                name = option.removeprefix("no-")  # typer's --flag/--no-flag
                declared = f'"--{name}' in source or re.search(rf"\b{name.replace('-', '_')}\s*:", source)
                if not declared:
                    unknown.append(f"{doc}: {script} --{option}")
    assert not unknown, f"options the docs pass that the script does not declare: {unknown}"
