"""Vitrina's library: pure domain logic by stage, no Prefect, no boto3, no web or CLI code.

model/ what the inputs mean -> imaging/ the product photo -> scene/ the background around it ->
banner/ the localized banner -> checks/ every verdict -> render.py one variant end to end ->
storage/ blobs, catalog and sidecars -> verify.py product pixels re-checked from a sidecar.
Every error raised on purpose is in `pipeline.errors`. See docs/architecture.md.
"""
