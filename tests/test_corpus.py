"""Reading NER data in the original project's format strictly, and converting it to DocBins."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from animal_verifier_train.ner.corpus import CorpusError, Record, convert, read_records, write_records

ROOT = Path(__file__).resolve().parents[1]
GOOD = [
    {"text": "There is a cow in the picture.", "entities": [[11, 14, "ANIMAL"]]},
    {"text": "I see two puppies and no cat.", "entities": [[10, 17, "ANIMAL"], [25, 28, "ANIMAL"]]},
    {"text": "A guinea pig sleeps next to the golden retriever.", "entities": [[2, 12, "ANIMAL"], [32, 48, "ANIMAL"]]},
    {"text": "The Jaguar is parked outside.", "entities": []},
]


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content)
    return path


def test_reads_json_list_and_jsonl(tmp_path):
    as_list = write(tmp_path, "a.json", json.dumps(GOOD, indent=1))
    as_lines = write(tmp_path, "a.jsonl", "\n".join(json.dumps(r) for r in GOOD) + "\n")
    for path in (as_list, as_lines):
        records = read_records(path)
        assert [r.text for r in records] == [r["text"] for r in GOOD]
        assert records[1].entities == ((10, 17, "ANIMAL"), (25, 28, "ANIMAL"))
        assert [records[1].text[s:e] for s, e, _ in records[1].entities] == ["puppies", "cat"]


@pytest.mark.parametrize(
    "record, message",
    [
        ({"text": "", "entities": []}, "non-empty"),
        ({"text": "a cat", "entities": [[2, 9, "ANIMAL"]]}, "out of range"),
        ({"text": "a cat", "entities": [[2, 5, "PERSON"]]}, "unknown label 'PERSON'"),
        ({"text": "a big cat", "entities": [[2, 9, "ANIMAL"], [6, 9, "ANIMAL"]]}, "overlap"),
        ({"text": "a cat", "entities": [[1, 5, "ANIMAL"]]}, "whitespace"),
        ({"text": "a cat", "entities": [["2", 5, "ANIMAL"]]}, "not [start, end, label]"),
        (["a cat"], "expected an object"),
    ],
)
def test_bad_records_name_file_and_line(tmp_path, record, message):
    lines = [json.dumps(GOOD[0]), json.dumps(GOOD[1]), json.dumps(record)]
    path = write(tmp_path, "bad.jsonl", "\n".join(lines))
    with pytest.raises(CorpusError, match=re.escape(message)) as err:
        read_records(path)
    assert f"{path}:3" in str(err.value)


def test_malformed_json_names_line(tmp_path):
    path = write(tmp_path, "broken.json", '[\n {"text": "a cat", "entities": []},\n {"text": "a dog",,}\n]')
    with pytest.raises(CorpusError, match=r"broken.json:3: not valid JSON"):
        read_records(path)
    with pytest.raises(CorpusError, match="no such file"):
        read_records(tmp_path / "missing.json")
    with pytest.raises(CorpusError, match="empty"):
        read_records(write(tmp_path, "empty.json", "  \n"))


def test_write_then_read_round_trip(tmp_path):
    records = [Record("a cat", ((2, 5, "ANIMAL"),), extra={"source": "x"})]
    write_records(records, tmp_path / "out.json")
    assert read_records(tmp_path / "out.json") == records
    assert not list(tmp_path.glob("*.tmp"))


def test_convert_counts_misaligned_spans():
    nlp = spacy.blank("en")
    records = [
        Record("I saw the dog-eared book", ((10, 13, "ANIMAL"),)),  # the tokenizer splits the hyphen: aligned
        Record("catfish are fish", ((0, 3, "ANIMAL"),)),  # "cat" inside "catfish": not a token
        Record("There is a cow in the picture.", ((11, 14, "ANIMAL"),)),
    ]
    result = convert(nlp, records)
    assert result.n_docs == 3 and result.n_spans == 3
    assert [r.text for r, _ in result.misaligned] == ["catfish are fish"]
    docs = list(result.docbin.get_docs(nlp.vocab))
    assert [e.text for e in docs[2].ents] == ["cow"]
    assert docs[1].ents == ()


def run_convert(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "convert.py"), *args], capture_output=True, text=True, cwd=ROOT
    )


def test_convert_script(tmp_path):
    good = write(tmp_path, "good.json", json.dumps(GOOD))
    out = tmp_path / "good.spacy"
    proc = run_convert(str(good), str(out))
    assert proc.returncode == 0, proc.stderr
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert [[e.text for e in d.ents] for d in docs] == [
        ["cow"],
        ["puppies", "cat"],
        ["guinea pig", "golden retriever"],
        [],
    ]

    misaligned = write(tmp_path, "mis.json", json.dumps([{"text": "catfish are fish", "entities": [[0, 3, "ANIMAL"]]}]))
    proc = run_convert(str(misaligned), str(tmp_path / "mis.spacy"))
    assert proc.returncode == 1
    assert "don't fall on token boundaries" in proc.stderr and "'cat'" in proc.stdout
    assert not (tmp_path / "mis.spacy").exists()

    bad = write(tmp_path, "bad.json", '[{"text": "a cat", "entities": [[2, 5, "CAT"]]}]')
    proc = run_convert(str(bad), str(tmp_path / "bad.spacy"))
    assert proc.returncode == 1 and "unknown label 'CAT'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "bad.spacy").exists()
