"""Whole data sets: resumable explanation runs to Parquet, a corpus report and a query layer.

``explain_dataset`` (runner) streams a :class:`Source` (source) through the engine chunk by
chunk (worker) into shards with a manifest (shards), rows that cannot be explained into a rejects
file (rejects); ``engine="ray"`` runs the chunks on a Ray actor pool (ray_engine). A run is read
back with ``wordlight.load_explanations(RUN_DIR)``, summarised by ``corpus_summary`` (report_data)
and ``render_report`` (report_html), and paged with ``query_rows`` (query). docs/datasets-runs.md.
"""

from __future__ import annotations

from wordlight.batch.rejects import Reject
from wordlight.batch.runner import ENGINES, RayOptions, RunSummary, explain_dataset
from wordlight.batch.source import InputRow, Source
from wordlight.results.parquet import SCHEMA_VERSION, load_parquet_explanations

__all__ = [
    "ENGINES",
    "SCHEMA_VERSION",
    "InputRow",
    "RayOptions",
    "Reject",
    "RunSummary",
    "Source",
    "explain_dataset",
    "load_parquet_explanations",
]
