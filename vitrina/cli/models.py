"""`vitrina models`: make and inspect the diffusion models the `diffusion` backend runs.

Nothing here downloads weights. `tiny` writes a random-weight inpainting pipeline of one family
(SD 1.5, SDXL or Flux Fill) built from the real diffusers / transformers classes, so the diffusion
path can run end to end on any machine (its backgrounds are noise); `check` says whether a model is
on this machine and what loading it would read: it runs the same inspection as loading
(`pipeline.scene.diffusion_models.inspect_model`), so what it accepts loads.
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

_FAMILIES = ("sd15", "sdxl", "flux-fill")  # pipeline.scene.tiny_model.TINY_FAMILIES (imported lazily: torch)


@models_app.command("tiny")
def tiny(
    directory: Annotated[Path, typer.Argument(help="folder to write the pipeline to (created)")],
    family: Annotated[str, typer.Option(help="model family: sd15, sdxl or flux-fill")] = "sd15",
    seed: Annotated[int, typer.Option(help="seed of the random weights")] = 0,
    variant: Annotated[
        str | None, typer.Option(help="save the weights as this variant (fp16: half-precision files)")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="write into a non-empty folder")] = False,
) -> None:
    """Write a tiny random-weight inpainting pipeline (64 px, a few MB) for tests and CPU demos."""
    if family not in _FAMILIES:
        _fail(f"--family {family!r}: use one of {', '.join(_FAMILIES)}")
    if variant not in (None, "fp16"):
        _fail(f"--variant {variant!r}: the tiny models are written plain or as fp16")
    if directory.exists() and any(directory.iterdir()) and not force:
        _fail(f"{directory}: folder is not empty (use --force to write into it)")
    from pipeline.scene.tiny_model import write_tiny

    write_tiny(directory, family, seed=seed, variant=variant)
    _out.print(
        f"tiny {family} inpainting pipeline written to {directory}\n"
        f"use it: vitrina run BRIEF --backend diffusion --model {directory} --steps 4",
        highlight=False,
    )


@models_app.command("check")
def check(
    model: Annotated[str, typer.Argument(help="diffusers folder or hub id (local cache only)")],
    variant: Annotated[str | None, typer.Option(help="weight variant to load (e.g. fp16)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Say whether a model is on this machine and loadable: where, its family and generation
    defaults, the weight variant and files loading reads, and the hash recorded in lineage."""
    from pipeline.scene.diffusion_models import resolve_model

    try:
        resolved = resolve_model(model, variant=variant)
    except VitrinaError as exc:
        _fail(str(exc))
    profile = resolved.profile
    info = {
        "model": resolved.ref,
        "path": str(resolved.path),
        "revision": resolved.revision,
        "pipeline": resolved.pipeline_class,
        "family": resolved.family,
        "loads_as": profile.pipeline,
        "variant": resolved.variant,
        "defaults": {"steps": profile.steps, "guidance": profile.guidance, "cuda_dtypes": list(profile.cuda_dtypes)},
        "weights": resolved.weights,
        "weights_sha256": resolved.weights_sha256,
    }
    if as_json:
        print(json.dumps(info))
        return
    for k, v in info.items():
        if k == "weights":
            v = f"{len(resolved.weights)} files"
        elif isinstance(v, dict):
            v = ", ".join(f"{a} {b}" for a, b in v.items())
        _out.print(f"{k + ':':<16}{v}", highlight=False)
