"""Convert NER JSON (the original project's format) to a DocBin; refuse spans that miss token boundaries."""

from pathlib import Path

import spacy
import typer

from animal_verifier import atomic
from animal_verifier_train.ner.corpus import CorpusError, convert, read_records


def main(
    input_path: Path = typer.Argument(
        ..., help="NER JSON list (or JSON Lines) file: text and [start, end, label] entities"
    ),
    output_path: Path = typer.Argument(..., help="Where to write the .spacy DocBin"),
    lang: str = typer.Option("en", help="Language whose tokenizer defines token boundaries"),
    max_misaligned: float = typer.Option(0.005, help="Fail when more than this share of spans is misaligned"),
) -> None:
    try:
        records = read_records(input_path)
    except CorpusError as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(1) from None
    result = convert(spacy.blank(lang), records)
    typer.echo(f"{input_path}: {result.n_docs} docs, {result.n_spans} spans, {len(result.misaligned)} misaligned")
    for record, (start, end, _) in result.misaligned[:5]:
        typer.echo(f"  misaligned {record.text[start:end]!r} at {input_path}:{record.line}: {record.text!r}")
    if result.misaligned_share > max_misaligned:
        typer.secho(
            f"error: {result.misaligned_share:.2%} of spans don't fall on token boundaries "
            f"(limit {max_misaligned:.2%}); fix the data or the tokenizer",
            fg="red",
            err=True,
        )
        raise typer.Exit(1)
    atomic.write_bytes(output_path, result.docbin.to_bytes())
    typer.echo(f"wrote {output_path}")


if __name__ == "__main__":
    typer.run(main)
