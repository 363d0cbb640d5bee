"""The `animal-verifier` command: verify, batch, infer-ner, and serve (with the [serve] extra)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from animal_verifier.constants import CLAIM_VERIFIER, IMAGE_CLASSIFIER

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Check whether a sentence about a photo is true.")

MODEL_HELP = "Pipeline folder or installed package name (default: the embedded pipeline the main job builds)"


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", fg="red", err=True)
    return typer.Exit(code)


def _load(model: str | None, *, need_image: bool):
    from animal_verifier.pipeline import ModelNotFound, load

    try:
        nlp = load(model)
    except ModelNotFound as err:
        raise fail(str(err)) from None
    except (OSError, ValueError) as err:
        raise fail(f"can't load the model {model or ''}: {err}") from None
    if need_image and IMAGE_CLASSIFIER not in nlp.pipe_names:
        raise fail("this model has no image classifier (an NER-only pipeline?); pass --model with the full one")
    return nlp


@app.command()
def verify(
    text: str = typer.Option(..., "--text", "-t", help="The sentence about the photo"),
    image: Path = typer.Option(..., "--image", "-i", help="The photo"),
    model: str = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
) -> None:
    """Check one sentence against one photo."""
    from animal_verifier.text.checks import TextError, check_text
    from animal_verifier.verify.results import doc_to_result, headline_lines
    from animal_verifier.vision.image_io import ImageError, load_image

    try:
        check_text(text)
        picture = load_image(image)
    except (TextError, ImageError) as err:
        raise fail(str(err)) from None
    nlp = _load(model, need_image=True)
    doc = nlp.make_doc(text)
    doc._.image = picture
    result = doc_to_result(nlp(doc))
    if as_json:
        typer.echo(json.dumps({"image": str(image), **result}, ensure_ascii=False))
    else:
        typer.echo("\n".join(headline_lines(result)))


ENGINES = ("local", "ray")
OUTPUT_HELP = (
    "A new JSON Lines file, or one an earlier `batch` wrote for this input and model (rerun to resume); "
    "with --engine ray a new or empty folder, or one it wrote. Anything else is refused and left as it is"
)


@app.command()
def batch(
    input_path: str = typer.Argument(..., help='JSON Lines {"text": ..., "image": "path"} per line, or Parquet (ray)'),
    output_path: str = typer.Argument(..., help=OUTPUT_HELP),
    model: str = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    batch_size: int = typer.Option(16, min=1, help="Pairs per batch"),
    workers: int = typer.Option(1, min=1, help="Processes (or Ray actors), each with one copy of the model"),
    engine: str = typer.Option("local", help="local: this machine's processes; ray: Ray Data (JSONL or Parquet)"),
    address: str = typer.Option(None, help="--engine ray: a running cluster's HOST:PORT (default: a local Ray)"),
    s3_endpoint: str = typer.Option(
        None, "--s3-endpoint", help="S3 endpoint URL for s3:// URIs, e.g. MinIO's (env ANIMAL_VERIFIER_S3_ENDPOINT)"
    ),
    root: Path = typer.Option(None, help="Local image paths must lie under this folder (for inputs from others)"),
) -> None:
    """Verify many pairs; a bad line gets an error of its own; rerunning skips lines already done."""
    from animal_verifier.batch.identity import ResumeError, model_identity
    from animal_verifier.batch.output import OutputError, check_output_file
    from animal_verifier.batch.sources import ImageReader
    from animal_verifier.batch.uris import Storage, UriError
    from animal_verifier.pipeline import ModelNotFound

    if engine not in ENGINES:
        raise fail(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    if address and engine != "ray":
        raise fail("--address is for --engine ray")
    if root is not None and not root.is_dir():
        raise fail(f"--root {root}: no such folder")
    try:
        reader = ImageReader(Storage.from_options(s3_endpoint)).with_root(root)
    except UriError as err:
        raise fail(str(err)) from None
    if engine == "ray":
        _batch_on_ray(model, input_path, output_path, batch_size, workers, address, reader)
        return
    source, target = Path(input_path), Path(output_path)
    if not source.is_file():
        raise fail(f"{source}: no such file")
    try:
        model_id = model_identity(model)  # a wrong name fails here, before any worker starts
        check_output_file(source, target, model_id)  # refused before the model loads
        if workers == 1:
            from animal_verifier.batch import run_batch

            summary = run_batch(
                _load(model, need_image=False), source, target, batch_size, model=model_id, reader=reader
            )
        else:
            from animal_verifier.batch.workers import WorkerError, run_batch_workers

            try:
                summary = run_batch_workers(
                    model, source, target, batch_size, workers, model_id=model_id, reader=reader
                )
            except WorkerError as err:
                raise fail(str(err)) from None
    except (ModelNotFound, OutputError, ResumeError) as err:
        raise fail(str(err)) from None
    except OSError as err:  # an unwritable folder, a full disk: every complete line written stays
        where = err.filename or target
        raise fail(f"{where}: {err.strerror or err}; the lines already written are kept, rerun to resume") from None
    typer.echo(summary.line(target))


def _batch_on_ray(
    model: str | None,
    input_path: str,
    output_path: str,
    batch_size: int,
    workers: int,
    address: str | None,
    reader,
) -> None:
    from animal_verifier.batch.identity import ResumeError
    from animal_verifier.batch.output import OutputError
    from animal_verifier.pipeline import ModelNotFound, resolve_model

    try:
        import ray

        from animal_verifier.batch.ray_engine import RayInputError, run_ray
    except ImportError as err:
        raise fail(f"{err.name} is missing; install the Ray extra: pip install 'animal-verifier[ray]'") from None
    try:
        resolve_model(model)
        summary = run_ray(
            model, input_path, output_path, batch_size=batch_size, workers=workers, address=address, reader=reader
        )
    except (ModelNotFound, RayInputError, OutputError, ResumeError) as err:
        raise fail(str(err)) from None
    except ray.exceptions.RayError as err:  # an actor that could not load the model, a lost cluster
        raise fail(f"the Ray job failed: {str(err).strip().splitlines()[0]}") from None
    for note in summary.notes:
        typer.secho(f"note: {note}", err=True)
    typer.echo(summary.line(output_path))


@app.command("infer-ner")
def infer_ner(
    texts: list[str] = typer.Argument(None, help="Sentences (default: one per line on standard input)"),
    model: str = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per sentence"),
) -> None:
    """Animal mentions with their canonical names, WordNet ids and negation."""
    from animal_verifier.text.checks import TextError, check_text
    from animal_verifier.verify.results import entities

    texts = texts or [line.rstrip("\n") for line in sys.stdin if line.strip()]
    try:
        for text in texts:
            check_text(text)
    except TextError as err:
        raise fail(str(err)) from None
    if not texts:
        raise fail("no text given")
    nlp = _load(model, need_image=False)
    with nlp.select_pipes(disable=[p for p in (IMAGE_CLASSIFIER, CLAIM_VERIFIER) if p in nlp.pipe_names]):
        for doc in nlp.pipe(texts):
            ents = entities(doc)
            if as_json:
                typer.echo(json.dumps({"text": doc.text, "entities": ents}, ensure_ascii=False))
                continue
            typer.echo(doc.text)
            for e in ents:
                neg = " (negated)" if e["negated"] else ""
                typer.echo(f"  {e['text']!r} -> {e['canonical']} [{e['wordnet_id']}]{neg}")
            if not ents:
                typer.echo("  (no animal)")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind (0.0.0.0 exposes the service to the network)"),
    port: int = typer.Option(8000, min=0, max=65535, help="TCP port"),
    model: str = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    workers: int = typer.Option(1, min=1, help="Processes, each with its own copy of the model"),
    log_level: str = typer.Option("info", help="uvicorn log level"),
) -> None:
    """The HTTP API and the web page (POST /v1/verify, the page at /); limits from ANIMAL_VERIFIER_* vars."""
    import os

    try:
        import uvicorn

        from animal_verifier.pipeline import ModelNotFound, resolve_model
        from animal_verifier.serve.app import ENV_MODEL, ServerSettings
    except ImportError as err:
        raise fail(f"{err.name} is missing; install the server extra: pip install 'animal-verifier[serve]'") from None
    try:
        resolved = resolve_model(model)  # fail here, with a clear message, not in each worker
        ServerSettings.from_env()
    except (ModelNotFound, ValueError) as err:
        raise fail(str(err)) from None
    os.environ[ENV_MODEL] = resolved  # each worker process builds its app from the environment
    uvicorn.run(
        "animal_verifier.serve.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
