"""Ingestion: readers → validator → pipeline (→ storage.writes); ``sources/`` for HTTP pulls.

Use ``monitoring.ingest.pipeline.ingest_file`` (files: upload page, ``ingest``) and
``ingest_frame`` (HTTP sources); both run the same validator and the same write.
"""
