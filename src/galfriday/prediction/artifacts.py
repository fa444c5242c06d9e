"""Content-addressed model artefacts under ``prediction.models_dir``.

An artefact is stored under its own SHA-256 (``artifacts/ab/abcdef….model``), written to a temporary
file and renamed into place, so a crash never leaves half a model under a valid name and the same
model saved twice is one file. Reading checks the hash before anything is unpickled: a file that
was edited, truncated or swapped is refused with an error that says so.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from galfriday.prediction.bundle import ModelBundle
from galfriday.prediction.errors import ArtifactIntegrityError

SUFFIX = ".model"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ArtifactStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def relative_path(self, sha256: str) -> str:
        return f"artifacts/{sha256[:2]}/{sha256}{SUFFIX}"

    def path(self, relative: str) -> Path:
        return self.root / relative

    def put(self, bundle: ModelBundle) -> tuple[str, str]:
        """Save ``bundle``; returns (SHA-256 hex, path relative to the root)."""
        data = bundle.to_bytes()
        digest = sha256_hex(data)
        relative = self.relative_path(digest)
        target = self.path(relative)
        if target.exists() and sha256_hex(target.read_bytes()) == digest:
            return digest, relative
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=SUFFIX)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest, relative

    def load(self, relative: str, sha256: str) -> ModelBundle:
        """The bundle at ``relative``, after checking its bytes hash to ``sha256``."""
        return load_verified(self.path(relative), sha256)


def load_verified(path: Path, sha256: str) -> ModelBundle:
    """Read ``path``, refuse it unless its SHA-256 is ``sha256``, then unpickle it."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ArtifactIntegrityError(
            f"model artefact {path} cannot be read ({exc.strerror or exc}); restore it from a backup "
            "of prediction.models_dir or retrain the model"
        ) from None
    actual = sha256_hex(data)
    if actual != sha256:
        raise ArtifactIntegrityError(
            f"model artefact {path} has SHA-256 {actual[:16]}… but the registry recorded {sha256[:16]}…: "
            "the file was changed or corrupted; restore it from a backup or retrain the model"
        )
    return ModelBundle.from_bytes(data, str(path))
