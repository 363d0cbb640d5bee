"""The HTTP API and the web page (`animal-verifier serve`), one job a module.

- ``settings``: the limits (:class:`ServerSettings`) and the environment variables that set them
- ``errors``: every refusal, its JSON body and the FastAPI error handlers
- ``schemas``: the request and response models (the OpenAPI schema)
- ``uploads``: reading a bounded body, multipart parsing, text and image checks, decoding
- ``memory``: the cap on glibc's malloc arenas that keeps memory flat under load
- ``engine``: the single inference thread that owns the pipeline and runs micro-batches
- ``app``: :func:`create_app`, the routes and the page in ``static/``

Nothing is imported here, so ``import animal_verifier.serve`` stays cheap; import from the modules.
"""
