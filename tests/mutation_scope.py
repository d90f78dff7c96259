"""Which tests a mutant of each module of components/ is run against (`make mutation`): the
module's own, as the score means "what this module's tests catch". mutmut itself runs every
selected test that calls the mutated function; tests/conftest.py deselects the rest, so a
validation check that every component test happens to call is still judged by the validation
tests, and a run takes an hour, not a day.

Keys are a module's path, or a package's folder for every module in it. A module with no entry
fails tests/test_mutation_scores.py, so a new module cannot go unmeasured.
"""

from __future__ import annotations

import re

COMPONENTS = (
    "test_instance_role.py",
    "test_instance_with_role.py",
    "test_auto_scaling_group_with_role.py",
    "test_bad_inputs.py",
    "test_deploy_time_checks.py",
)
STACKS = ("test_stack_program.py", "test_stack_fleet.py")

OWN_TESTS: dict[str, tuple[str, ...]] = {
    "components/validation.py": (
        "test_validation.py",
        "test_validation_limits.py",
        "test_bad_inputs.py",
    ),
    "components/policy_documents.py": (
        "test_policy_documents.py",
        "test_policy_document_messages.py",
        "test_policy_lint_messages.py",
        "test_policy_lint.py",
        "test_bad_inputs.py",
        "test_instance_role.py",
    ),
    "components/policy_lint.py": (
        "test_policy_lint.py",
        "test_policy_lint_messages.py",
        "test_policy_document_messages.py",
        "test_policy_documents.py",
        "test_bad_inputs.py",
        "test_instance_role.py",
    ),
    "components/iam_actions.py": (
        "test_iam_actions.py",
        "test_policy_lint.py",
        "test_policy_lint_messages.py",
        "test_policy_documents.py",
        "test_least_privilege_mapping.py",
    ),
    "components/_values.py": (
        "test_policy_documents.py",
        "test_policy_lint.py",
        "test_policy_pack.py",
        "test_reachability.py",
    ),
    "components/_inputs.py": COMPONENTS,
    "components/_lookups.py": COMPONENTS,
    "components/_launch.py": COMPONENTS,
    "components/instance_role.py": (*COMPONENTS, *STACKS),
    "components/instance_with_role.py": (*COMPONENTS, *STACKS),
    "components/auto_scaling_group_with_role.py": (*COMPONENTS, *STACKS),
    "components/profile_attachment.py": (
        "test_profile_attachment.py",
        "test_profile_attachment_inputs.py",
        "test_profile_attachment_settings.py",
    ),
    "components/testing.py": ("test_offline_mocks.py", "test_testing_kit.py"),
    "components/package.py": ("test_package_inputs.py", "test_package_schema.py"),
    "components/_gc.py": ("test_package_schema.py",),
    "components/cli.py": ("test_cli.py",),
    "components/network/": (
        "test_existing_endpoints.py",
        "test_network_lookup.py",
        "test_network_services.py",
        "test_vpc_endpoint_checks.py",
        "test_vpc_endpoints.py",
        "test_reachability.py",
        "test_instance_with_role.py",
        *STACKS,
    ),
    "components/least_privilege/": (
        "test_least_privilege_mapping.py",
        "test_least_privilege_render.py",
        "test_least_privilege_report.py",
        "test_least_privilege_sources.py",
    ),
}

# A mutant's name: the module's dotted path, then ``x_<function>`` or ``xǁ<class>ǁ<method>``
# and ``__mutmut_<n>`` (mutmut 3.8.1 ``trampoline_templates.mangle_function_name``).
_MUTANT = re.compile(r"^(?P<module>components(?:\.\w+)+?)\.x[_ǁ]")


def own_tests(mutant_under_test: str) -> frozenset[str] | None:
    """The test files a mutant is judged by; ``None`` when ``mutant_under_test`` is not a
    mutant (mutmut's own phases: "", "stats", "fail", ...), where every test runs."""
    match = _MUTANT.match(mutant_under_test)
    if match is None:
        return None
    return tests_of_module(match.group("module").replace(".", "/") + ".py")


def tests_of_module(path: str) -> frozenset[str]:
    """The own tests of the module at ``path`` (``components/network/services.py``); empty for
    a module with no entry."""
    if path in OWN_TESTS:
        return frozenset(OWN_TESTS[path])
    folders = [key for key in OWN_TESTS if key.endswith("/") and path.startswith(key)]
    return frozenset(OWN_TESTS[max(folders, key=len)]) if folders else frozenset()
