"""An output folder's files: content-addressed blobs (each asset once, named by the SHA-256 of its
bytes) with their JSON sidecars, product cut-outs named by the hash of their pixels, and browsable
run folders. Every path is resolved under the folder's root before anything is written; files are
written to a unique temp name in the same folder, then renamed. `pipeline.storage.store.Store`
adds the catalog."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, shown
from pipeline.storage.files import (
    atomic_write,
    blob_location,
    check_name,
    check_run_id,
    check_sha,
    cutout_location,
    link_or_copy,
    sha256_bytes,
)
from pipeline.storage.sidecar import Sidecar, load_sidecar, sidecar_json

__all__ = ["OutputFolder"]


class OutputFolder:
    """The files of one output folder (created when missing)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    # --- paths --------------------------------------------------------------------------------

    def _inside(self, path: Path) -> Path:
        """`path` if it resolves (links followed) inside the store's root, else InputError."""
        root = self.root.resolve()
        if not path.resolve().is_relative_to(root):
            raise InputError(f"{shown(str(path))}: resolves outside the output folder {root}; refused")
        return path

    def run_path(self, run_id: str, relative: str) -> Path:
        """runs/<run_id>/<relative>, checked: every segment a plain name, the whole inside the root."""
        check_run_id(run_id)
        parts = relative.split("/")
        for part in parts:
            check_name(part, relative)
        return self._inside(self.root / "runs" / run_id / Path(*parts))

    # --- blobs --------------------------------------------------------------------------------

    def blob_path(self, sha: str, suffix: str = ".png") -> Path:
        return blob_location(self.root, check_sha(sha), suffix)

    def _write_once(self, path: Path, data: bytes) -> None:
        if not path.exists():
            self._inside(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)

    def put_blob(self, data: bytes, suffix: str = ".png") -> str:
        sha = sha256_bytes(data)
        self._write_once(self.blob_path(sha, suffix), data)
        return sha

    def put_json_sidecar(self, sha: str, sidecar: Sidecar) -> Path:
        """Write the blob's sidecar (`pipeline.storage.sidecar`) as blobs/sha256/ab/<sha>.json."""
        path = self._inside(self.blob_path(sha, ".json"))
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, sidecar_json(sidecar).encode("utf-8"))
        return path

    def sidecar(self, sha: str) -> Sidecar:
        """The blob's sidecar, read back and validated (`InputError` when missing or of another schema)."""
        return load_sidecar(self.blob_path(sha, ".json"))

    def put_cutout(self, cutout: Any) -> str:
        """Keep a product cut-out (an RGBA PIL image) as a PNG named by the SHA-256 of its pixels.

        Returns that hash, which is what lineage records as ``product.cutout_sha256``: with the
        banner and its sidecar, the cut-out is all `vitrina verify` (or anyone) needs to check the
        banner's product pixels. Written once; a cut-out already stored is left as it is.
        """
        from pipeline.imaging.imageio import (
            image_sha256,  # Pillow only where images are handled
        )

        if getattr(cutout, "mode", None) != "RGBA":
            raise InputError(f"a cut-out must be an RGBA image, got {getattr(cutout, 'mode', type(cutout).__name__)}")
        sha = image_sha256(cutout)
        path = self.cutout_path(sha)
        if not path.exists():
            buf = io.BytesIO()
            cutout.save(buf, "PNG", compress_level=6)
            self._write_once(path, buf.getvalue())
        return sha

    def cutout_path(self, pixel_sha: str) -> Path:
        return cutout_location(self.root, check_sha(pixel_sha))

    def link_into_run(self, sha: str, run_id: str, relative: str, suffix: str = ".png") -> Path:
        """A browsable name for a blob under runs/<run_id>/ (hard link, copy when links fail),
        put in place by an atomic rename. Names that would leave the folder are an InputError."""
        target = self.run_path(run_id, relative)
        source = self.blob_path(sha, suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._inside(target)  # again, now that its folders exist
        link_or_copy(source, target)
        return target
