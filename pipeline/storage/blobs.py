"""An output folder's files: content-addressed blobs (each asset once, named by the SHA-256 of its
bytes) with their JSON sidecars, product cut-outs named by the hash of their pixels, and browsable
run folders. Every path is resolved under the folder's root before anything is written; files are
written to a unique temp name in the same folder, then renamed. `pipeline.storage.store.Store`
adds the catalog.

Shared blobs (`BlobBackend`): when a run's work is spread over machines (a Dask cluster), each
machine has its own output folder, so the content-addressed files also go to a shared backend (an
S3 bucket, a shared folder: `dam_connectors.s3_blobs`). Every content-addressed write goes to the
local folder and to the backend; every path asked for whose local file is missing is fetched from
the backend first (a read-through cache). Callers keep working with local `Path`s, unchanged.
Run folders (runs/<id>/ links, report.json) stay local: they are views, not state."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

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

__all__ = ["BlobBackend", "OutputFolder"]


@runtime_checkable
class BlobBackend(Protocol):
    """Where an output folder's content-addressed files are shared between machines.

    Names are output-folder-relative POSIX paths ("blobs/sha256/ab/<sha>.png",
    "cutouts/sha256/ab/<sha>.png"); a backend maps them below its own root. Failures are one-line
    `VitrinaError`s (`DamError` for S3) naming the backend and the name."""

    @property
    def uri(self) -> str:
        """The backend, for messages: ``s3://bucket/prefix``, ``file:///shared/vitrina``."""
        ...

    def put(self, name: str, data: bytes) -> None:
        """Store `data` as `name`, replacing what was there."""
        ...

    def get(self, name: str) -> bytes | None:
        """The bytes stored as `name`, or None when there are none."""
        ...

    def exists(self, name: str) -> bool: ...


class OutputFolder:
    """The files of one output folder (created when missing), shared through `remote` if given."""

    def __init__(self, root: Path, remote: BlobBackend | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        #: The shared blob backend (None: this folder is the only copy).
        self.remote = remote
        self._root_resolved = self.root.resolve()
        self._confined: set[Path] = set()  # run folders checked by `link_into_run`

    # --- paths --------------------------------------------------------------------------------

    def _inside(self, path: Path) -> Path:
        """`path` if it resolves (links followed) inside the store's root, else InputError."""
        root = self._root_resolved
        if not path.resolve().is_relative_to(root):
            raise InputError(f"{shown(str(path))}: resolves outside the output folder {root}; refused")
        return path

    def run_path(self, run_id: str, relative: str) -> Path:
        """runs/<run_id>/<relative>, checked: every segment a plain name, the whole inside the root."""
        return self._inside(self._run_name(run_id, relative))

    def _run_name(self, run_id: str, relative: str) -> Path:
        """runs/<run_id>/<relative> when every segment is a plain name (not yet confined)."""
        check_run_id(run_id)
        parts = relative.split("/")
        for part in parts:
            check_name(part, relative)
        return self.root / "runs" / run_id / Path(*parts)

    # --- the shared backend ---------------------------------------------------------------------

    def _name(self, path: Path) -> str:
        """`path`'s name for the backend: relative to the root, POSIX."""
        return path.relative_to(self.root).as_posix()

    def _fetched(self, path: Path) -> Path:
        """`path`, fetched from the backend first when the local file is missing (read-through).

        Under blobs/, a file that is not a JSON record is named by the SHA-256 of its bytes: bytes
        that do not hash to their name (a changed or damaged object) are refused, not cached."""
        if self.remote is None or path.exists():
            return path
        name = self._name(path)
        data = self.remote.get(name)
        if data is None:
            return path  # missing everywhere: the caller sees a missing file, as without a backend
        if name.startswith("blobs/") and not path.name.endswith(".json"):
            if sha256_bytes(data) != path.name.split(".", 1)[0]:
                raise InputError(
                    f"{self.remote.uri}: {shown(name)}: its bytes do not hash to its name; refused (changed or damaged)"
                )
        self._inside(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        return path

    def _share(self, path: Path, data: bytes, *, new: bool) -> None:
        """Put `path`'s bytes on the backend: at once when this call wrote the file (`new`), else
        only when the backend lacks it (a file made before a backend was configured)."""
        if self.remote is None:
            return
        name = self._name(path)
        if new or not self.remote.exists(name):
            self.remote.put(name, data)

    def _write_once(self, path: Path, data: bytes) -> None:
        """Content-addressed: the same name always holds the same bytes, so an existing file stays."""
        new = not path.exists()
        if new:
            self._inside(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
        self._share(path, data, new=new)

    def _write(self, path: Path, data: bytes) -> Path:
        """A record kept next to a blob (its sidecar, a cache record): replaced when written again."""
        self._inside(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        self._share(path, data, new=True)
        return path

    # --- blobs --------------------------------------------------------------------------------

    def blob_path(self, sha: str, suffix: str = ".png") -> Path:
        """blobs/sha256/ab/<sha><suffix>, fetched from the shared backend when missing here."""
        return self._fetched(blob_location(self.root, check_sha(sha), suffix))

    def put_blob(self, data: bytes, suffix: str = ".png") -> str:
        sha = sha256_bytes(data)
        self._write_once(blob_location(self.root, sha, suffix), data)
        return sha

    def put_record(self, sha: str, suffix: str, data: bytes) -> Path:
        """Write a record about blob `sha` (a rendition's or a signed copy's JSON) as
        blobs/sha256/ab/<sha><suffix>, here and on the shared backend; returns its path."""
        if not suffix.startswith(".") or "/" in suffix or "\\" in suffix:
            raise InputError(f"record suffix {shown(suffix)}: must start with '.' and name no folder")
        return self._write(blob_location(self.root, check_sha(sha), suffix), data)

    def put_json_sidecar(self, sha: str, sidecar: Sidecar) -> Path:
        """Write the blob's sidecar (`pipeline.storage.sidecar`) as blobs/sha256/ab/<sha>.json."""
        return self._write(blob_location(self.root, check_sha(sha), ".json"), sidecar_json(sidecar).encode("utf-8"))

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
        path = cutout_location(self.root, sha)
        if not path.exists():
            buf = io.BytesIO()
            cutout.save(buf, "PNG", compress_level=6)
            self._write_once(path, buf.getvalue())
        elif self.remote is not None and not self.remote.exists(self._name(path)):
            self.remote.put(self._name(path), path.read_bytes())  # made before a backend was configured
        return sha

    def cutout_path(self, pixel_sha: str) -> Path:
        """cutouts/sha256/ab/<sha>.png, fetched from the shared backend when missing here."""
        return self._fetched(cutout_location(self.root, check_sha(pixel_sha)))

    def link_into_run(self, sha: str, run_id: str, relative: str, suffix: str = ".png") -> Path:
        """A browsable name for a blob under runs/<run_id>/ (hard link, copy when links fail),
        put in place by an atomic rename. Names that would leave the folder are an InputError."""
        target = self._run_name(run_id, relative)
        source = self.blob_path(sha, suffix)
        # The folder is confined once per folder (a refresh links tens of thousands of names into
        # a few thousand folders; resolving each path costs a system call per component). The
        # name itself is replaced by a rename, which never follows a link planted there.
        folder = target.parent
        if folder not in self._confined:
            folder.mkdir(parents=True, exist_ok=True)
            self._inside(folder)
            self._confined.add(folder)
        link_or_copy(source, target)
        return target
