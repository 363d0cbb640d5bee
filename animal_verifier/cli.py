"""The `animal-verifier` command: verify, batch, infer-ner, and serve (with the [serve] extra)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from animal_verifier.constants import CLAIM_VERIFIER, IMAGE_CLASSIFIER

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Check whether a sentence about a photo is true.")

MODEL_HELP = "Pipeline folder or installed package name (default: the embedded pipeline the main job builds)"
RISK_HELP = (
    "Operating point: the risk of a confident error the thresholds were fitted for at build time (e.g. 0.01, "
    "0.05; the model's labels.json lists them); default: the one the pipeline was built with"
)


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", fg="red", err=True)
    return typer.Exit(code)


def _load(model: str | None, *, need_image: bool, risk: float | None = None):
    from animal_verifier.pipeline import ModelNotFound, load

    try:
        nlp = load(model, risk)
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
    risk: float = typer.Option(None, "--risk", help=RISK_HELP),
) -> None:
    """Check one sentence against one photo: True, False, or not sure."""
    from animal_verifier.text.checks import TextError, check_text
    from animal_verifier.verify.results import doc_to_result, headline_lines
    from animal_verifier.vision.image_io import ImageError, load_image

    try:
        check_text(text)
        picture = load_image(image)
    except (TextError, ImageError) as err:
        raise fail(str(err)) from None
    nlp = _load(model, need_image=True, risk=risk)
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
    risk: float = typer.Option(None, "--risk", help=RISK_HELP),
) -> None:
    """Verify many pairs; a bad line gets an error of its own; rerunning skips lines already done."""
    import os

    from animal_verifier.pipeline import ENV_RISK

    if engine not in ENGINES:
        raise fail(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    if address and engine != "ray":
        raise fail("--address is for --engine ray")
    if risk is not None and address:  # a running cluster's workers do not see this process's environment
        raise fail(f"--risk with --address: set {ENV_RISK}={risk:g} in the cluster's environment instead")
    if root is not None and not root.is_dir():
        raise fail(f"--root {root}: no such folder")
    before = os.environ.get(ENV_RISK)
    if risk is not None:
        os.environ[ENV_RISK] = f"{risk:g}"  # worker processes and local Ray actors load the model with it
    try:
        _batch(model, input_path, output_path, batch_size, workers, engine, address, risk, s3_endpoint, root)
    finally:
        if before is None:
            os.environ.pop(ENV_RISK, None)
        else:
            os.environ[ENV_RISK] = before


def _batch(
    model: str | None,
    input_path: str,
    output_path: str,
    batch_size: int,
    workers: int,
    engine: str,
    address: str | None,
    risk: float | None,
    s3_endpoint: str | None,
    root: Path | None,
) -> None:
    from animal_verifier.batch.identity import ResumeError, model_identity
    from animal_verifier.batch.output import OutputError, check_output_file
    from animal_verifier.batch.sources import ImageReader
    from animal_verifier.batch.uris import Storage, UriError
    from animal_verifier.pipeline import ModelNotFound, check_risk, resolve_model

    try:
        reader = ImageReader(Storage.from_options(s3_endpoint)).with_root(root)
        if risk is not None:  # a wrong name or risk fails here, before any worker or actor starts
            check_risk(resolve_model(model), risk)
    except (UriError, ModelNotFound, ValueError) as err:
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
                _load(model, need_image=False, risk=risk), source, target, batch_size, model=model_id, reader=reader
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
    workers: int = typer.Option(
        1,
        min=1,
        help="Processes, each with its own copy of the model. Each holds its own limits, so the rate "
        "limit and the pixel budget are divided among them: the service as a whole keeps the numbers given",
    ),
    api_keys_file: Path = typer.Option(
        None,
        help="API keys, one a line ('#' comments): every /v1/... call and /metrics then needs "
        "'Authorization: Bearer <key>' or 'X-API-Key: <key>' [env: ANIMAL_VERIFIER_API_KEYS_FILE]",
    ),
    rate_limit: float = typer.Option(
        None,
        min=0.001,
        help="API requests per second per client (a key, else the address), with a burst of "
        "ANIMAL_VERIFIER_RATE_BURST_S (5) seconds' worth; over it: 429 [default: no limit]",
    ),
    forwarded_allow_ips: str = typer.Option(
        None, help="Proxies (comma-separated addresses or networks, or *) whose X-Forwarded-For names the client"
    ),
    allowed_hosts: str = typer.Option(
        None,
        help="Host names the server answers to, comma-separated, any port; others get 400 [default: "
        "localhost,127.0.0.1,[::1] when bound to a loopback address, else any]",
    ),
    cors_origin: list[str] = typer.Option(
        None, help="An origin (https://app.example.org) whose pages may call the API; repeat for more"
    ),
    log_format: str = typer.Option(None, help="Access log: text or json, one line a request [default: text]"),
    log_level: str = typer.Option("info", help="uvicorn log level (warning and above: no access log)"),
    risk: float = typer.Option(None, "--risk", help=RISK_HELP),
) -> None:
    """The HTTP API and the web page (POST /v1/verify, the page at /); other limits from ANIMAL_VERIFIER_* vars."""
    import os

    try:
        import uvicorn

        from animal_verifier.pipeline import ENV_RISK, ModelNotFound, check_risk, resolve_model
        from animal_verifier.serve.access import KeyRing, Proxies
        from animal_verifier.serve.app import ENV_MODEL, ServerSettings
        from animal_verifier.serve.serving import is_loopback, log_config, metrics_folder
        from animal_verifier.serve.settings import LOOPBACK_HOSTS
    except ImportError as err:
        raise fail(f"{err.name} is missing; install the server extra: pip install 'animal-verifier[serve]'") from None
    given = {
        "api_keys_file": str(api_keys_file) if api_keys_file else None,
        "rate_limit": rate_limit,
        "forwarded_allow_ips": _comma_list(forwarded_allow_ips),
        "allowed_hosts": _comma_list(allowed_hosts),
        "cors_origins": tuple(cors_origin) if cors_origin else None,
        "log_format": log_format,
    }
    try:
        resolved = resolve_model(model)  # fail here, with a clear message, not in each worker
        if risk is not None:
            check_risk(resolved, risk)
        settings = ServerSettings.from_env()
        settings = ServerSettings(**{**vars(settings), **{k: v for k, v in given.items() if v is not None}})
        if settings.api_keys_file:
            KeyRing.from_file(settings.api_keys_file)
        Proxies(settings.forwarded_allow_ips)
    except (ModelNotFound, ValueError) as err:
        raise fail(str(err)) from None
    if settings.allowed_hosts is None and is_loopback(host):
        settings = ServerSettings(**{**vars(settings), "allowed_hosts": LOOPBACK_HOSTS})
    if not is_loopback(host) and not settings.api_keys_file:
        typer.secho(f"warning: serving on {host} without API keys: anyone who can reach it can use it "
                    "(--api-keys-file)", fg="yellow", err=True)  # fmt: skip
    os.environ.update(settings.per_worker(workers).to_env())  # each worker builds its app from the environment
    os.environ[ENV_MODEL] = resolved
    if risk is not None:
        os.environ[ENV_RISK] = f"{risk:g}"  # and loads the pipeline at this operating point
    with metrics_folder(workers):
        uvicorn.run(
            "animal_verifier.serve.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            log_config=log_config(settings.log_format, log_level),
            access_log=False,  # the app logs each request once, with its id
            proxy_headers=False,  # the app reads X-Forwarded-For itself, from --forwarded-allow-ips only
        )


def _comma_list(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(item.strip() for item in value.split(",") if item.strip())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
