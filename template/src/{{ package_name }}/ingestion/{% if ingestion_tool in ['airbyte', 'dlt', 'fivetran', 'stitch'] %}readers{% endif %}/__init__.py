"""Readers of the sample company's sources (files, the sqlite shop database, the REST API) as
Arrow batches, with the incremental cursor and the bronze types: shared by the ingestion tools
that read the sources in this process (``sources.py``)."""
