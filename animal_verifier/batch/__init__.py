"""The batch job: (text, image) pairs from a file in, one record per line out, on three engines.

``runner`` is the one-process engine and makes every output record (:func:`verify_rows`); ``workers`` runs
the same chunks over N processes; ``ray_engine`` runs them on Ray Data (the ``ray`` extra). ``uris`` reads
images and inputs named by URI. The CLI's ``batch`` command picks the engine.
"""

from animal_verifier.batch.runner import BatchSummary, run_batch, verify_rows

__all__ = ["BatchSummary", "run_batch", "verify_rows"]
