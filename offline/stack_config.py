"""A stack's configuration as the Pulumi CLI hands it to the program: the project's declared
defaults (Pulumi.yaml ``config:``) merged with ``Pulumi.<stack>.yaml``.

Mirrors what the CLI does (docs: "Project file reference", config options): a declared key
without a default is required; a stack value must match its declared type; values reach the
program as strings, objects and arrays as JSON.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent

_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "boolean": bool,
    "array": list,
}


class StackConfigError(ValueError):
    pass


#: libyaml's safe loader when PyYAML was built with it (the wheels are): the pure-Python one
#: took a quarter of the review's render, for two small files.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(), Loader=_SAFE_LOADER)


def project(project_dir: Path = ROOT) -> dict[str, Any]:
    return _load(project_dir / "Pulumi.yaml")


def stack_file(stack: str, project_dir: Path = ROOT) -> dict[str, Any]:
    return _load(project_dir / f"Pulumi.{stack}.yaml") or {}


#: What a value stored as a secret (`pulumi config set --secret`) reads as offline: the
#: ciphertext cannot be decrypted without the stack's secrets provider.
SECRET_PLACEHOLDER = "[secret]"


def _encode(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _check_type(key: str, value: Any, declared: str) -> None:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return  # a secret: its type is known only once decrypted
    expected = _TYPES[declared]
    ok = isinstance(value, expected) and not (declared == "integer" and isinstance(value, bool))
    if not ok:
        raise StackConfigError(f"{key}: {value!r} is not of the declared type {declared}")


def merged_config(
    stack: str, overrides: dict[str, Any] | None = None, *, project_dir: Path = ROOT
) -> dict[str, str]:
    """The config map the program in ``project_dir`` sees for ``stack``; ``overrides`` stand in
    for extra ``pulumi config set`` calls."""
    proj = project(project_dir)
    name = proj["name"]
    values: dict[str, Any] = dict(stack_file(stack, project_dir).get("config") or {})
    values.update(overrides or {})
    merged: dict[str, str] = {}
    declared = proj.get("config") or {}
    for short, spec in declared.items():
        key = f"{name}:{short}"
        if key in values:
            _check_type(key, values[key], spec["type"])
            merged[key] = _encode(values.pop(key))
        elif "default" in spec:
            merged[key] = _encode(spec["default"])
        else:
            raise StackConfigError(f"Stack {stack!r} is missing configuration value {key!r}")
    for key, value in values.items():
        namespace = key.split(":", 1)[0]
        if namespace == name:
            raise StackConfigError(f"{key} is set by stack {stack!r} but not declared")
        merged[key] = _encode(value)
    return merged


def run_stack_program() -> None:
    """Runs __main__.py as the Pulumi language host does (under whatever runtime is set)."""
    runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
