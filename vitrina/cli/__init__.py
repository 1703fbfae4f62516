"""The `vitrina` command: run, review, publish, verify, check, models, schema.

Entry point `vitrina.cli.main:main`. Exit codes: 0 done; 1 done but something was skipped, flagged
or failed; 2 bad input (one line naming the file, field and value).
"""
