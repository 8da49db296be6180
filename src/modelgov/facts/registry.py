"""What the model registry says about a registered model: plain, frozen data.

:mod:`modelgov.mlregistry` reads it (MLflow's model registry, only with
``--registry``); rules MG180-MG183 compare it with the declaration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, Protocol

#: Tag keys MLflow users set to record a model version's validation, and the values
#: that mean it failed (compared case-insensitively).
VALIDATION_TAGS = ("validation_status", "validation", "model_validation", "validation_result")
FAILED_VALUES = ("failed", "fail", "failure", "rejected", "invalid")
#: Tag keys that may hold the artifact digest a ``deploy.version: sha256:...`` names.
DIGEST_TAGS = ("digest", "sha256", "artifact_digest", "model_digest")


class ModelVersion(NamedTuple):
    """One version of a registered model."""

    version: str
    status: str = "READY"  # READY | PENDING_REGISTRATION | FAILED_REGISTRATION
    stage: str = "None"  # None | Staging | Production | Archived (stages are deprecated)
    tags: tuple[tuple[str, str], ...] = ()
    description: str = ""

    def tag(self, *keys: str) -> str:
        """The value of the first of ``keys`` set on this version (keys compared lower-case)."""
        lowered = {k.lower(): v for k, v in self.tags}
        for key in keys:
            if key in lowered:
                return lowered[key]
        return ""

    @property
    def failed_validation(self) -> str:
        """The tag that records a failed validation (``key=value``), or ``''``."""
        for key, value in self.tags:
            if key.lower() in VALIDATION_TAGS and value.strip().lower() in FAILED_VALUES:
                return f"{key}={value}"
        return ""


class RegistryState(NamedTuple):
    """A registered model as the registry reported it (or why it could not)."""

    uri: str  # where the registry is, as shown (no credentials)
    model: str  # the registered model name asked for
    error: str = ""  # the registry could not be read: unreachable, slow, refused
    found: bool = False  # the registered model exists
    aliases: Mapping[str, str] = {}  # alias -> version; never mutated
    versions: tuple[ModelVersion, ...] = ()  # every version, newest first

    def version(self, number: str) -> ModelVersion | None:
        return next((v for v in self.versions if v.version == number), None)

    def resolve(self, alias: str) -> ModelVersion | None:
        number = self.aliases.get(alias)
        return self.version(number) if number is not None else None


class RegistryReader(Protocol):
    """Where the engine reads registry states from (:class:`modelgov.mlregistry.Registry`)."""

    def state(self, model: str) -> RegistryState: ...
