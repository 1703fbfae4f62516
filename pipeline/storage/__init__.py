"""Where variants live: content-addressed blobs, the catalog database (runs, variants, audit log,
publications) and the DAM keys and sidecars of a publication."""
