"""The README's commands work as written: the cheap ones (the `verify` example, `infer-ner`, the Python snippet) run
against the test pipeline standing in for the checkout's training/pipeline, and every command line sits behind
`.venv/bin/` or the block's `source .venv/bin/activate`, so a fresh shell after the two commands runs it."""

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
