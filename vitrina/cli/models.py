"""`vitrina models`: make and inspect the diffusion models the `diffusion` backend runs.

Nothing here downloads weights. `tiny` writes a random-weight Stable Diffusion inpainting pipeline
built from the real diffusers / transformers classes, so the diffusion path can run end to end on
any machine (its backgrounds are noise); `check` says whether a model is on this machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import VitrinaError
from vitrina.cli.console import fail as _fail
from vitrina.cli.console import out as _out

models_app = typer.Typer(no_args_is_help=True, help="Diffusion models: build a tiny test model, check a model.")


@models_app.command("tiny")
def tiny(
    directory: Annotated[Path, typer.Argument(help="folder to write the pipeline to (created)")],
    seed: Annotated[int, typer.Option(help="seed of the random weights")] = 0,
    force: Annotated[bool, typer.Option("--force", help="write into a non-empty folder")] = False,
) -> None:
    """Write a tiny random-weight SD inpainting pipeline (64 px, ~8 MB) for tests and CPU demos."""
    from pipeline.scene.tiny_model import write_tiny_sd_inpaint

    if directory.exists() and any(directory.iterdir()) and not force:
        _fail(f"{directory}: folder is not empty (use --force to write into it)")
    write_tiny_sd_inpaint(directory, seed=seed)
    _out.print(
        f"tiny SD inpainting pipeline written to {directory}\n"
        f"use it: vitrina run BRIEF --backend diffusion --model {directory} --steps 4",
        highlight=False,
    )


@models_app.command("check")
def check(
    model: Annotated[str, typer.Argument(help="diffusers folder or hub id (local cache only)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Say whether a model is on this machine, where, and the hash recorded in lineage."""
    from pipeline.scene.diffusion import resolve_model

    try:
        resolved = resolve_model(model)
    except VitrinaError as exc:
        _fail(str(exc))
    info = {
        "model": resolved.ref,
        "path": str(resolved.path),
        "revision": resolved.revision,
        "weights_sha256": resolved.weights_sha256,
        "pipeline": json.loads((resolved.path / "model_index.json").read_text()).get("_class_name"),
    }
    if as_json:
        print(json.dumps(info))
    else:
        for k, v in info.items():
            _out.print(f"{k + ':':<16}{v}", highlight=False)
