"""Renders the Inputs and Outputs tables of README.md and docs/network.md from the components'
own docstrings.

The Args ``TypedDict`` fields and the typed output attributes carry the documentation (the same
text the component host will turn into the package schema); this writes it into each document
between ``<!-- BEGIN GENERATED: X -->`` and ``<!-- END GENERATED: X -->`` markers.

    python -m tools.readme_tables           # rewrite the tables
    python -m tools.readme_tables --check   # exit 1 if a document is out of date
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from components._gc import collector_paused
from tools.generated import write_or_check

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
NETWORK_DOC = ROOT / "docs" / "network.md"
FLEET_DOC = ROOT / "docs" / "fleet.md"
SOURCES = (
    ROOT / "components" / "instance_role.py",
    ROOT / "components" / "instance_with_role.py",
    ROOT / "components" / "network" / "endpoints.py",
    ROOT / "components" / "auto_scaling_group_with_role.py",
)
ARGS_CLASSES = ("InstanceRoleArgs", "InstanceWithRoleArgs")
COMPONENT_CLASSES = ("InstanceRole", "InstanceWithRole")
#: Each document, and the Args and component classes whose tables it holds.
DOCUMENTS = {
    README: (ARGS_CLASSES, COMPONENT_CLASSES),
    NETWORK_DOC: (("VpcEndpointsArgs",), ("VpcEndpoints",)),
    FLEET_DOC: (("AutoScalingGroupWithRoleArgs",), ("AutoScalingGroupWithRole",)),
}
_DEFAULT_RE = re.compile(r"^(Optional|Required)\.\s+(?:Defaults to (?P<default>.*?)\.(?:\s+|$))?")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    default: str
    required: bool


def _annotated_fields(node: ast.ClassDef) -> list[tuple[str, str, str]]:
    """(name, annotation, docstring) for each annotated attribute followed by a docstring."""
    fields: list[tuple[str, str, str]] = []
    body = node.body
    for index, item in enumerate(body):
        if not isinstance(item, ast.AnnAssign) or not isinstance(item.target, ast.Name):
            continue
        following = body[index + 1] if index + 1 < len(body) else None
        doc = ""
        if (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            doc = " ".join(following.value.value.split())
        annotation = ast.unparse(item.annotation).replace("pulumi.", "")
        fields.append((item.target.id, annotation, doc))
    return fields


def parse(text: str) -> ast.Module:
    """``ast.parse`` with the garbage collector paused (see ``collector_paused``)."""
    with collector_paused():
        return ast.parse(text)


def _classes() -> dict[str, ast.ClassDef]:
    found: dict[str, ast.ClassDef] = {}
    for source in SOURCES:
        for node in parse(source.read_text()).body:
            if isinstance(node, ast.ClassDef):
                found[node.name] = node
    return found


def _is_total_false(node: ast.ClassDef) -> bool:
    return any(
        k.arg == "total" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in node.keywords
    )


def input_fields(class_name: str) -> list[Field]:
    node = _classes()[class_name]
    fields: list[Field] = []
    for name, annotation, doc in _annotated_fields(node):
        match = _DEFAULT_RE.match(doc)
        if not doc or match is None:
            raise ValueError(
                f"{class_name}.{name}: its docstring must start with 'Optional. Defaults to X.' "
                "or 'Required.'"
            )
        required = match.group(1) == "Required" or (
            not _is_total_false(node) and not annotation.startswith("NotRequired")
        )
        fields.append(
            Field(
                name=name,
                type=annotation,
                description=doc[match.end() :].strip(),
                default=(match.group("default") or "").strip() if not required else "",
                required=required,
            )
        )
    return fields


def output_fields(class_name: str) -> list[Field]:
    node = _classes()[class_name]
    return [
        Field(name=name, type=annotation, description=doc, default="", required=False)
        for name, annotation, doc in _annotated_fields(node)
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def inputs_table(class_name: str) -> str:
    lines = ["| Name | Description | Type | Default | Required |", "|---|---|---|---|---|"]
    for f in input_fields(class_name):
        lines.append(
            f"| `{f.name}` | {_cell(f.description)} | `{_cell(f.type)}` | {_cell(f.default) or '-'}"
            f" | {'yes' if f.required else 'no'} |"
        )
    return "\n".join(lines)


def outputs_table(class_name: str) -> str:
    lines = ["| Name | Description | Type |", "|---|---|---|"]
    for f in output_fields(class_name):
        lines.append(f"| `{f.name}` | {_cell(f.description)} | `{_cell(f.type)}` |")
    return "\n".join(lines)


def tables(document: Path = README) -> dict[str, str]:
    args_classes, component_classes = DOCUMENTS[document]
    rendered = {name: inputs_table(name) for name in args_classes}
    rendered.update({f"{name} outputs": outputs_table(name) for name in component_classes})
    return rendered


def render(readme: str, document: Path = README) -> str:
    for key, table in tables(document).items():
        pattern = re.compile(
            rf"(<!-- BEGIN GENERATED: {re.escape(key)} -->\n).*?(\n<!-- END GENERATED: "
            rf"{re.escape(key)} -->)",
            re.DOTALL,
        )
        if not pattern.search(readme):
            raise ValueError(f"{document.name} has no markers for {key!r}")
        readme = pattern.sub(lambda m, t=table: m.group(1) + t + m.group(2), readme)
    return readme


def main(argv: list[str] | None = None) -> int:
    failed = 0
    for document in DOCUMENTS:
        failed |= write_or_check(
            argv,
            doc=__doc__,
            path=document,
            render=lambda text, d=document: render(text, d),
            module="tools.readme_tables",
        )
    return failed


if __name__ == "__main__":
    sys.exit(main())
