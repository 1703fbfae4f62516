"""Scene generation: the product is placed first, the scene is made around it, and the product's
own pixels are put back untouched (the studio backend never touches them in the first place).

Backends follow one small Protocol so the flow can pick one by name (`studio` is the model-free
embedded default, `diffusion` the inpainting one). Every backend has all of it: built from the
brand's imagery section (`from_imagery`), one scene (`render`) and many (`render_batch`), so a
caller never has to ask a backend what it can do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self

from PIL import Image

from pipeline.imaging.geometry import Box
from pipeline.imaging.placement import Placement

if TYPE_CHECKING:  # only annotations: a backend can be used without the brand model (pydantic)
    from pipeline.model.brand import ImageryStyle

__all__ = ["SceneRequest", "SceneResult", "Backend", "render_batch", "backend_weights"]


@dataclass(frozen=True)
class SceneRequest:
    size: tuple[int, int]
    cutout: Image.Image  # RGBA product cut-out, alpha = product mask
    area: Box  # where the layout wants the product
    palette: dict[str, str]  # role -> hex
    style: str
    seed: int
    prompt: str = ""
    negative_prompt: str = ""


@dataclass(frozen=True)
class SceneResult:
    image: Image.Image  # RGB scene with the product in it
    product_layer: Image.Image  # RGBA product as placed (scaled once, never regenerated)
    placement: Placement
    lineage: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    """What the flow needs of a scene backend."""

    name: str

    @classmethod
    def from_imagery(cls, imagery: ImageryStyle | None, root: Path | None, **options: Any) -> Self:
        """The backend configured from a brand's imagery section (None: no brand, the defaults)
        and the brand folder `root` (relative model and LoRA paths), with `options` (from the
        CLI) taking precedence. An option the backend does not have is an `InputError`."""
        ...

    def render(self, request: SceneRequest) -> SceneResult:
        """One scene around the untouched product."""
        ...

    def render_batch(self, requests: Sequence[SceneRequest]) -> list[SceneResult]:
        """Scenes for many requests, in order: a batching backend (diffusion: one model call per
        bucket) makes them together, the others one by one."""
        ...


def render_batch(backend: Backend, requests: Sequence[SceneRequest]) -> list[SceneResult]:
    """`backend.render_batch(requests)`, kept for callers written against the function."""
    return backend.render_batch(requests)


def backend_weights(backend: Backend) -> str | None:
    """The hash of the model weights `backend` renders with (None for a model-free backend): part
    of every input key, so new weights make new scenes."""
    model = getattr(backend, "model", None)
    weights = getattr(model, "weights_sha256", None)
    return weights if isinstance(weights, str) else None
