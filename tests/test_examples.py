"""The consumer examples under examples/: a Python project that uses the pip-installed package,
and a Pulumi YAML project that uses the multi-language package through the component host."""

import copy
import json
import runpy
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from yaml_program import construct_resources, outputs, schema_problems

from components import PACKAGE_NAME
from components.package import inferred_schema, provider
from offline.mocks import run_program
from offline.stack_config import merged_config

ROOT = Path(__file__).resolve().parent.parent
PYTHON_EXAMPLE = ROOT / "examples" / "python"
YAML_EXAMPLE = ROOT / "examples" / "yaml"
INSTANCE = "aws:ec2/instance:Instance"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def run_example(directory: Path, program, stack: str = "dev"):
    project = yaml.safe_load((directory / "Pulumi.yaml").read_text())["name"]
    config = merged_config(stack, project_dir=directory)
    return run_program(program, config=config, stack=stack, project=project)


@pytest.fixture(scope="module")
def python_run():
    def program():
        namespace = runpy.run_path(str(PYTHON_EXAMPLE / "__main__.py"), run_name="__main__")
        return {"components": [namespace["readers"], *namespace["workers"]]}

    return run_example(PYTHON_EXAMPLE, program)


def test_python_example_imports_the_pip_installed_package(python_run):
    (module,) = {type(c).__module__.split(".")[0] for c in python_run.returned["components"]}
    origin = Path(sys.modules[module].__file__ or "").resolve()
    assert module == "ec2_instance_role"
    assert origin.parent.parent == Path(sysconfig.get_paths()["purelib"]).resolve()


def test_python_example_shares_one_role_among_its_workers(python_run):
    assert len(python_run.of_type(ROLE)) == 1
    assert len(python_run.of_type(PROFILE)) == 1
    profile = python_run.one(PROFILE)
    instances = python_run.of_type(INSTANCE)
    assert len(instances) == 2  # workerCount's default in the example's Pulumi.yaml
    for instance in instances:
        assert instance.inputs["iamInstanceProfile"] == profile.state["name"]
        assert profile.urn in instance.property_dependencies["iamInstanceProfile"]


def test_python_example_workers_require_imdsv2(python_run):
    for instance in python_run.of_type(INSTANCE):
        assert instance.inputs["metadataOptions"]["httpTokens"] == "required", instance.name


def test_python_example_grants_only_the_reports_prefix_of_its_bucket(python_run):
    (statement,) = json.loads(python_run.one(ROLE_POLICY).inputs["policy"])["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::example-reports-dev/reports/*",
    }


def test_python_example_exports_the_role_and_instances(python_run):
    assert python_run.outputs["roleArn"].startswith("arn:aws:iam::")
    assert len(python_run.outputs["instanceIds"]) == 2


@pytest.fixture(scope="module")
def yaml_program():
    return yaml.safe_load((YAML_EXAMPLE / "Pulumi.yaml").read_text())


@pytest.fixture(scope="module")
def schema():
    return inferred_schema()


def test_yaml_example_uses_the_plugin_directory_of_this_repository(yaml_program):
    source = (YAML_EXAMPLE / yaml_program["packages"][PACKAGE_NAME]).resolve()
    assert source == ROOT / "provider"
    assert (source / "PulumiPlugin.yaml").is_file()


def test_yaml_example_passes_the_schema_check(yaml_program, schema):
    assert schema_problems(yaml_program, schema) == []


def test_schema_check_refuses_a_misspelled_input(yaml_program, schema):
    broken = copy.deepcopy(yaml_program)
    broken["resources"]["readers"]["properties"]["enableSesionManager"] = True
    broken["resources"]["worker"]["properties"]["metadataHopLimit"] = "2"
    broken["resources"]["builder"]["properties"]["role"]["roleNamePrefx"] = "b-"
    assert schema_problems(broken, schema) == [
        "readers.enableSesionManager: no such input",
        "worker.metadataHopLimit: '2' is not a integer",
        "builder.role.roleNamePrefx: no such input",
    ]


def test_schema_check_refuses_an_output_for_a_plain_input(yaml_program, schema):
    broken = copy.deepcopy(yaml_program)
    broken["resources"]["worker"]["properties"]["rootVolumeType"] = "${readers.roleName}"
    assert schema_problems(broken, schema) == [
        "worker.rootVolumeType: takes a known value, not the output ${readers.roleName}"
    ]


@pytest.fixture(scope="module")
def yaml_run(yaml_program):
    config = {
        key.split(":", 1)[1]: value
        for key, value in merged_config("dev", project_dir=YAML_EXAMPLE).items()
    }

    def program():
        states = construct_resources(yaml_program, provider(), PACKAGE_NAME, config)
        return outputs(yaml_program, states)

    return run_program(program, project=yaml_program["name"], stack="dev")


def test_yaml_example_builds_each_component_through_the_host(yaml_run):
    components = sorted((r.type, r.name) for r in yaml_run.registrations if not r.custom)
    assert components == [
        # Each instance without a subnet records the default subnet it chose.
        (f"{PACKAGE_NAME}:index:ExistingNetwork", "builder-network"),
        (f"{PACKAGE_NAME}:index:ExistingNetwork", "worker-network"),
        (f"{PACKAGE_NAME}:index:InstanceRole", "builder"),
        (f"{PACKAGE_NAME}:index:InstanceRole", "readers"),
        (f"{PACKAGE_NAME}:index:InstanceWithRole", "builder"),
        (f"{PACKAGE_NAME}:index:InstanceWithRole", "worker"),
    ]


def test_yaml_example_instances_require_imdsv2(yaml_run):
    instances = yaml_run.of_type(INSTANCE)
    assert len(instances) == 2
    for instance in instances:
        assert instance.inputs["metadataOptions"]["httpTokens"] == "required", instance.name


def test_yaml_example_camel_case_inputs_reach_the_python_args(yaml_run):
    worker = yaml_run.named("worker-instance")
    assert worker.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 2
    assert worker.inputs["rootBlockDevice"]["volumeSize"] == 16
    builder_role = [r for r in yaml_run.of_type(ROLE) if r.name == "builder-role"]
    assert builder_role[0].inputs["namePrefix"] == "builder-"
    assert yaml_run.named("builder-instance").inputs["instanceType"] == "t3.small"


def test_yaml_example_worker_waits_for_the_shared_role_policies(yaml_run):
    policy = yaml_run.named("readers-inline-ReadReports")
    worker = yaml_run.named("worker-instance")
    assert policy.urn in worker.property_dependencies["iamInstanceProfile"]
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Resource"] == "arn:aws:s3:::example-reports-dev/reports/*"


def test_yaml_example_outputs_resolve(yaml_run):
    assert yaml_run.returned["readersRoleArn"].startswith("arn:aws:iam::")
    assert yaml_run.returned["workerId"].startswith("i-")
    assert yaml_run.returned["builderRoleName"].startswith("builder-")


def test_python_examples_own_tests_pass_with_the_packages_test_kit():
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-W", "ignore::DeprecationWarning", "-o", "addopts="],
        cwd=PYTHON_EXAMPLE,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert "2 passed" in completed.stdout


FLEET_EXAMPLE = ROOT / "examples" / "fleet"
GROUP = "aws:autoscaling/group:Group"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


@pytest.fixture(scope="module")
def fleet_run():
    def program():
        namespace = runpy.run_path(str(FLEET_EXAMPLE / "__main__.py"), run_name="__main__")
        return {"fleet": namespace["workers"]}

    return run_example(FLEET_EXAMPLE, program)


def test_fleet_example_imports_the_pip_installed_package(fleet_run):
    module = type(fleet_run.returned["fleet"]).__module__.split(".")[0]
    origin = Path(sys.modules[module].__file__ or "").resolve()
    assert module == "ec2_instance_role"
    assert origin.parent.parent == Path(sysconfig.get_paths()["purelib"]).resolve()


def test_fleet_example_launches_from_a_template_that_requires_imdsv2(fleet_run):
    assert fleet_run.one(TEMPLATE).inputs["metadataOptions"]["httpTokens"] == "required"
    spec = fleet_run.one(GROUP).inputs["launchTemplate"]
    assert spec["id"] == fleet_run.one(TEMPLATE).id


def test_fleet_example_group_takes_the_stack_sizes(fleet_run):
    inputs = fleet_run.one(GROUP).inputs
    assert (inputs["minSize"], inputs["maxSize"]) == (2, 6)


def test_fleet_examples_own_tests_pass_with_the_packages_test_kit():
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-W", "ignore::DeprecationWarning", "-o", "addopts="],
        cwd=FLEET_EXAMPLE,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert "2 passed" in completed.stdout
