"""Vitrina's library: pure domain logic (no Prefect, no boto3, no environment reads)."""
