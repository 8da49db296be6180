"""Read MLflow's model registry: what serves, and what a rollback would restore.

Only ``modelgov check --registry`` and ``modelgov audit --registry`` come
here; the client (``mlflow``, the optional extra ``modelgov-lint[mlflow]``) is
imported only then, so the hook's start-up does not pay for it.

Where the registry is never comes from a model.yaml: ``MLFLOW_REGISTRY_URI``,
else ``MLFLOW_TRACKING_URI``, else ``registry_uri`` of the config (in an audit,
the organisation's config only).  Every question is read-only: a SQLite
registry is opened read-only (a database that does not exist is an error, never
created), and nothing is written anywhere else.  Each registered model is read
once per run, within :data:`TIMEOUT` seconds: a registry that is unreachable,
slow or refuses the credentials becomes a :class:`RegistryState` whose
``error`` says so (rule MG180 reports it), never a hang or a traceback.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .errors import UsageError
from .facts.registry import ModelVersion, RegistryState

TIMEOUT = float(os.environ.get("MODELGOV_REGISTRY_TIMEOUT", "20"))
ENV_URIS = ("MLFLOW_REGISTRY_URI", "MLFLOW_TRACKING_URI")
EXTRA = "modelgov-lint[mlflow]"
_MAX_ERROR = 200


def registry_uri(config_uri: str | None) -> str:
    """Where the registry is: the environment first, then the config."""
    for name in ENV_URIS:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    if config_uri:
        return config_uri
    raise UsageError(
        "--registry needs to know where the model registry is: set MLFLOW_TRACKING_URI "
        "(or MLFLOW_REGISTRY_URI), or `registry_uri` in the config"
    )


def shown(uri: str) -> str:
    """``uri`` without credentials or query (safe to print in a CI log)."""
    parts = urlsplit(uri)
    if not parts.netloc:
        return uri.split("?", 1)[0]
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def read_only(uri: str) -> str:
    """A SQLite registry URI opened read-only; an error when the database does not exist."""
    if not uri.startswith("sqlite:"):
        return uri
    if not uri.startswith("sqlite:///"):
        raise UsageError(f"registry URI {shown(uri)!r}: expected sqlite:///PATH to a database file")
    rest = uri[len("sqlite:///") :].split("?", 1)[0]
    if rest.startswith("file:"):  # already a SQLite URI filename
        rest = rest[len("file:") :]
    path = os.path.abspath(rest)
    if not os.path.isfile(path):
        raise UsageError(f"no MLflow registry database at {path} (from {shown(uri)})")
    return f"sqlite:///file:{path}?mode=ro&uri=true"


class Registry:
    """One MLflow registry, read once per registered model."""

    def __init__(self, uri: str, *, timeout: float = TIMEOUT) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import mlflow  # noqa: F401 - only to say clearly when the extra is missing
        except ImportError:
            raise UsageError(f"--registry needs the MLflow client: pip install '{EXTRA}'") from None
        self.uri = read_only(uri)
        self.label = shown(uri)
        self.timeout = timeout
        self._states: dict[str, RegistryState] = {}
        # fail fast inside the time limit instead of MLflow's minutes of retries
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(max(1, int(timeout))))
        logging.getLogger("mlflow").setLevel(logging.ERROR)
        logging.getLogger("alembic").setLevel(logging.ERROR)

    def state(self, model: str) -> RegistryState:
        if model not in self._states:
            self._states[model] = self._read(model)
        return self._states[model]

    def _read(self, model: str) -> RegistryState:
        box: dict[str, RegistryState] = {}

        def work() -> None:
            try:
                box["state"] = self._fetch(model)
            except Exception as exc:  # the registry answered with an error
                text = " ".join(str(exc).split())
                if len(text) > _MAX_ERROR:
                    text = text[: _MAX_ERROR - 1] + "…"
                box["state"] = RegistryState(
                    self.label, model, error=f"{type(exc).__name__}: {text}"
                )

        worker = threading.Thread(target=work, name="modelgov-registry", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if "state" not in box:
            return RegistryState(
                self.label, model, error=f"the registry did not answer within {self.timeout:g} s"
            )
        return box["state"]

    def _fetch(self, model: str) -> RegistryState:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from mlflow import MlflowClient
            from mlflow.exceptions import MlflowException

            client = MlflowClient(tracking_uri=self.uri, registry_uri=self.uri)
            try:
                registered = client.get_registered_model(model)
            except MlflowException as exc:
                if getattr(exc, "error_code", "") == "RESOURCE_DOES_NOT_EXIST":
                    return RegistryState(self.label, model, found=False)
                raise
            escaped = model.replace("'", "\\'")
            versions = client.search_model_versions(f"name='{escaped}'")
        aliases = {str(k): str(v) for k, v in (getattr(registered, "aliases", None) or {}).items()}
        return RegistryState(
            self.label,
            model,
            found=True,
            aliases=aliases,
            versions=tuple(sorted((_version(v) for v in versions), key=_number, reverse=True)),
        )


def _version(v: Any) -> ModelVersion:
    tags = getattr(v, "tags", None) or {}
    return ModelVersion(
        version=str(v.version),
        status=str(getattr(v, "status", "") or "READY"),
        stage=str(getattr(v, "current_stage", "") or "None"),
        tags=tuple(sorted((str(k), str(val)) for k, val in tags.items())),
        description=str(getattr(v, "description", "") or ""),
    )


def _number(v: ModelVersion) -> tuple[int, str]:
    return (int(v.version), "") if v.version.isdigit() else (-1, v.version)


_REGISTRIES: dict[tuple[str, float], Registry] = {}


def open_registry(uri: str, *, timeout: float = TIMEOUT) -> Registry:
    """The :class:`Registry` at ``uri`` (one per process and URI)."""
    key = (uri, timeout)
    if key not in _REGISTRIES:
        _REGISTRIES[key] = Registry(uri, timeout=timeout)
    return _REGISTRIES[key]
