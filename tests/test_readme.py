"""The README stays true: its tables match the docstrings, its commands match what CI runs."""

import re
from pathlib import Path

from components import InstanceRoleArgs, InstanceWithRoleArgs
from tools import readme_tables

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = {path.name: path.read_text() for path in sorted((ROOT / "docs").glob("*.md"))}
GUARDRAILS = DOCS["guardrails.md"]
REVIEW = DOCS["review.md"]


def test_readme_inputs_and_outputs_tables_match_the_docstrings():
    assert readme_tables.render(README) == README, "run: make docs"


def test_network_doc_tables_match_the_endpoint_components_docstrings():
    document = readme_tables.NETWORK_DOC
    text = document.read_text()
    assert readme_tables.render(text, document) == text, "run: make docs"
    assert "| `vpc_id` | The VPC the endpoints serve. |" in text


def test_every_input_field_appears_in_the_readme_tables():
    for args in (InstanceRoleArgs, InstanceWithRoleArgs):
        documented = {f.name for f in readme_tables.input_fields(args.__name__)}
        assert documented == set(args.__annotations__), args.__name__


def test_every_input_docstring_states_its_default():
    for name in readme_tables.ARGS_CLASSES:
        for field in readme_tables.input_fields(name):
            assert field.required or field.default, f"{name}.{field.name} states no default"


def test_readme_test_command_is_the_one_ci_runs():
    assert re.search(r"```bash\nmake test\n```", README)
    assert re.search(r"make .*\btest\b", (ROOT / ".ci" / "run").read_text())


def test_readme_names_only_make_targets_that_exist():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.MULTILINE))
    for target in re.findall(r"`make ([a-z-]+)", README + "".join(DOCS.values())):
        assert target in targets, f"README mentions make {target}, which the Makefile lacks"


def test_readme_lint_example_is_what_the_component_prints():
    from components import InputError, InstanceRole
    from offline.mocks import run_program

    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "S3Access",
                "Effect": "Allow",
                "Action": ["s3:GetObjects", "s3:PutObject"],
                "Resource": "arn:aws:s3:::my-app-data",
            },
            {"Sid": "PassAnyRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
        ],
    }
    run = run_program(
        lambda: InstanceRole("app", {"inline_policies": {"AppAccess": document}}),
        capture_error=True,
    )
    # The Python language host logs a RunError's message alone (pulumi-language-python-exec).
    printed = f"error: {run.raised(InputError)}"
    assert f"```text\n{printed}\n```" in GUARDRAILS


def test_policy_pack_configs_name_only_existing_rules_and_levels():
    import json

    from policy import rules

    names = {p.name: p for p in rules.POLICIES}
    levels = {"advisory", "mandatory", "disabled", "remediate"}
    config_files = sorted((ROOT / "policy").glob("config.*.json"))
    assert [f.name for f in config_files] == ["config.dev.json", "config.prod.json"]
    for config_file in config_files:
        for rule, setting in json.loads(config_file.read_text()).items():
            assert rule in names, f"{config_file.name}: no rule {rule}"
            level = setting if isinstance(setting, str) else setting.get("enforcementLevel")
            assert level is None or level in levels, f"{config_file.name}: {rule}: {level}"
            if isinstance(setting, dict):
                schema = names[rule].config_schema
                allowed = set(schema.properties) if schema else set()
                assert set(setting) - {"enforcementLevel"} <= allowed, f"{config_file.name}: {rule}"


def test_readme_policy_pack_table_lists_every_rule():
    from policy import rules

    for policy in rules.POLICIES:
        assert f"| `{policy.name}` |" in GUARDRAILS, policy.name


def test_readme_review_output_shows_the_current_tree():
    from offline import review

    tree = review.tree(review.render("dev"), "dev", "ec2-instance-role")
    assert tree in REVIEW, "docs/review.md's `make review` output is stale: paste the new one"


def test_readme_review_diagram_is_the_current_one():
    from offline import review

    assert "```mermaid\n" + review.mermaid(review.render("dev")) + "```" in REVIEW


def test_changelog_has_an_entry_for_the_current_version():
    from components import __version__

    changelog = (ROOT / "CHANGELOG.md").read_text()
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)
    assert releases, "CHANGELOG.md has no dated release"
    assert releases[0] == __version__


def test_readme_install_commands_pin_what_exists():
    """No release is tagged yet, so the install lines pin a commit; a tag named there would
    fail (`git checkout -q v0.1.0 did not run successfully`)."""
    installs = re.findall(
        r"^(?:pip install \"|ec2-instance-role @ git\+|pulumi package add github).*$", README, re.M
    )
    assert len(installs) >= 3
    assert all("@<commit>" in line for line in installs), installs


def test_readme_package_add_command_points_at_the_plugin_directory():
    (path,) = set(re.findall(r"pulumi package add github\.com/<owner>/<repository>/(\S+)@", README))
    assert (ROOT / path / "PulumiPlugin.yaml").is_file()


def test_readme_opens_with_the_two_quick_start_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"```bash\n(.*?)\n```", quick_start) == ["make try", "make test"]
    assert README.index("## Quick start") < README.index("## Use the component")
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^try: install\n\t\$\(BIN\)/python -m offline\.try_it$", makefile, re.M)


def test_readme_review_output_prints_the_current_diagram():
    from offline import review

    printed = REVIEW.split("The output of `make review STACK=dev` today:", 1)[1].split(
        "\n```\n", 1
    )[0]
    assert review.mermaid(review.render("dev")) in printed


def test_readme_test_kit_example_runs_and_passes():
    block = (
        README.split("### Test your program", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    )
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    namespace["test_my_instance_requires_imdsv2"]()
    assert "ec2_instance_role.testing" in block


def test_readme_is_a_map_and_links_every_guide_in_docs():
    assert len(README.splitlines()) < 650, "move long material into docs/"
    linked = set(re.findall(r"\]\(docs/([\w.-]+\.md)", README))
    assert linked == set(DOCS)


def test_every_relative_link_in_the_documents_resolves():
    for name, text in {"README.md": README, **{f"docs/{n}": t for n, t in DOCS.items()}}.items():
        base = ROOT if name == "README.md" else ROOT / "docs"
        for target in re.findall(r"\]\((?!https?://|#)([^)#\s]+)", text):
            assert (base / target).exists(), f"{name} links {target}, which does not exist"


def test_readme_least_privilege_example_is_what_the_command_prints(tmp_path, capsys, monkeypatch):
    from components.least_privilege.cli import run
    from offline import cloudtrail_corpus

    section = README.split("## Least privilege from CloudTrail", 1)[1].split("\n## ", 1)[0]
    commands = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert commands, "the section shows the commands it ran"
    corpus_line, run_line = commands.group(1).replace("\\\n", " ").splitlines()
    assert corpus_line == "venv/bin/python -m offline.cloudtrail_corpus /tmp/trail"
    argv = run_line.split()
    assert argv[:2] == ["venv/bin/ec2-instance-role", "least-privilege"]
    monkeypatch.chdir(ROOT)  # the command names snapshots/ relative to the checkout
    cloudtrail_corpus.main([str(tmp_path)])
    capsys.readouterr()
    assert run([str(tmp_path) if a == "/tmp/trail" else a for a in argv[2:]]) == 0
    printed = capsys.readouterr().out
    assert f"```text\n{printed}```" in section
