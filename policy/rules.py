"""The guardrails of the policy pack, as validators that run on every resource of a stack, not
only on this project's components.

Importing this module builds the policies but starts nothing: only ``PolicyPack(...)`` (in
``policy/__main__.py``) starts the analyzer's gRPC server and blocks. Tests call each policy's
``validate`` directly with ``ResourceValidationArgs`` or ``StackValidationArgs``.

Property names are the Pulumi schema's (camelCase), as the engine hands them to a policy pack.
During a preview a value that is not known yet raises inside the SDK's property proxy, which
skips the check instead of failing it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from components import policy_documents as docs
from components._values import plain, truthy
from components.policy_lint import OptIns
from components.validation import InputError
from policy import reachability
from policy.tokens import (
    ATTACHMENT,
    AUTOSCALING_GROUP,
    INSTANCE,
    LAUNCH_TEMPLATE,
    MANAGED_POLICY,
    PROFILE,
    ROLE,
    ROLE_POLICY,
    VOLUME,
)

#: AWS managed policies that no role an EC2 instance can assume should carry.
DEFAULT_FORBIDDEN_POLICIES: Final = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")


def _get(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _flag(default: bool, description: str) -> dict[str, Any]:
    return {"type": "boolean", "default": default, "description": description}


def _names(default: list[str], description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string"},
        "default": default,
        "description": description,
    }


def _schema(**properties: dict[str, Any]) -> PolicyConfigSchema:
    """A rule's settings; each has a default, which the validator also falls back on."""
    return PolicyConfigSchema(properties=properties)


# --- IMDSv2 ------------------------------------------------------------------------------------


def imdsv2_violation(
    props: Mapping[str, Any], *, allow_disabled_endpoint: bool = True
) -> str | None:
    options = props.get("metadataOptions")
    if allow_disabled_endpoint and _get(options, "httpEndpoint") == "disabled":
        return None  # no metadata service at all: nothing to steal through it
    tokens = _get(options, "httpTokens")
    if tokens != "required":
        return (
            f"metadataOptions.httpTokens is {tokens!r}; set it to 'required' so the metadata "
            "service answers only IMDSv2 requests (IMDSv1 is what SSRF bugs reach), or disable "
            "the endpoint."
        )
    return None


def _from_template(props: Mapping[str, Any], prop: str) -> bool:
    """An instance launched from a launch template that leaves ``prop`` to the template (which
    the same rule checks on the template itself)."""
    return bool(props.get("launchTemplate")) and not props.get(prop)


def _validate_imdsv2(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == INSTANCE and _from_template(args.props, "metadataOptions"):
        return
    allow_disabled = bool(args.get_config().get("allowDisabledEndpoint", True))
    if args.resource_type in (INSTANCE, LAUNCH_TEMPLATE) and (
        message := imdsv2_violation(args.props, allow_disabled_endpoint=allow_disabled)
    ):
        report(message, None)


imdsv2_required = ResourceValidationPolicy(
    name="ec2-imdsv2-required",
    description="EC2 instances and launch templates require IMDSv2 session tokens.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=_schema(
        allowDisabledEndpoint=_flag(True, "A disabled metadata endpoint satisfies the rule.")
    ),
    validate=_validate_imdsv2,
)


_EXEMPTIONS: Final = _schema(
    exemptResourceNames=_names(
        [], "Logical names of resources this rule skips, each a reviewed exception."
    )
)


# --- metadata hop limit ------------------------------------------------------------------------

DEFAULT_MAX_HOP_LIMIT: Final = 2


def hop_limit_violation(props: Mapping[str, Any], max_hops: int) -> str | None:
    # Left out, EC2 uses 1, or 2 for an AMI registered with ImdsSupport v2.0 (EC2 user guide,
    # "Configure instance metadata options for new instances"): within the default limit.
    hops = _get(props.get("metadataOptions"), "httpPutResponseHopLimit")
    if hops is None or int(hops) <= max_hops:
        return None
    return (
        f"metadataOptions.httpPutResponseHopLimit is {int(hops)}; above {max_hops} a metadata "
        "token, and so the role's credentials, reaches past the containers on the instance. "
        f"Set it to {max_hops} or less, or raise this rule's maxHopLimit for a reviewed reason."
    )


def _validate_hop_limit(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (INSTANCE, LAUNCH_TEMPLATE) or _exempt(args):
        return
    if args.resource_type == INSTANCE and _from_template(args.props, "metadataOptions"):
        return
    max_hops = int(args.get_config().get("maxHopLimit", DEFAULT_MAX_HOP_LIMIT))
    if message := hop_limit_violation(args.props, max_hops):
        report(message, None)


metadata_hop_limit = ResourceValidationPolicy(
    name="ec2-metadata-hop-limit",
    description="Metadata tokens of instances and launch templates travel at most two hops.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=_schema(
        maxHopLimit={
            "type": "integer",
            "default": DEFAULT_MAX_HOP_LIMIT,
            "description": "The highest httpPutResponseHopLimit accepted.",
        },
        exemptResourceNames=_names(
            [], "Logical names of resources this rule skips, each a reviewed exception."
        ),
    ),
    validate=_validate_hop_limit,
)


# --- Auto Scaling groups -----------------------------------------------------------------------


def group_launch_violation(props: Mapping[str, Any]) -> str | None:
    if props.get("launchConfiguration"):
        return (
            "The Auto Scaling group launches from a launch configuration. Use a launch template "
            "(AutoScalingGroupWithRole makes one): AWS no longer adds features to launch "
            "configurations, and the guardrails on metadata, volumes and profiles read "
            "templates."
        )
    if not (props.get("launchTemplate") or props.get("mixedInstancesPolicy")):
        return "The Auto Scaling group names no launch template. Set launchTemplate."
    return None


def _validate_group_launch(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == AUTOSCALING_GROUP and (message := group_launch_violation(args.props)):
        report(message, None)


groups_use_launch_templates = ResourceValidationPolicy(
    name="autoscaling-group-uses-launch-template",
    description="Auto Scaling groups launch from launch templates, not launch configurations.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=_EXEMPTIONS,
    validate=_validate_group_launch,
)


# --- instance profile --------------------------------------------------------------------------


def _exempt(args: ResourceValidationArgs) -> bool:
    return args.name in set(args.get_config().get("exemptResourceNames", []))


def _validate_instance_profile(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if _exempt(args) or _from_template(args.props, "iamInstanceProfile"):
        return
    if args.resource_type == INSTANCE and not args.props.get("iamInstanceProfile"):
        report(
            "The instance has no IAM instance profile, so software on it can reach AWS only "
            "with long-lived keys. Give it a profile (InstanceRole / InstanceWithRole).",
            None,
        )
    if args.resource_type == LAUNCH_TEMPLATE:
        profile = args.props.get("iamInstanceProfile")
        if not (_get(profile, "name") or _get(profile, "arn")):
            report(
                "The launch template has no IAM instance profile, so the instances it launches "
                "can reach AWS only with long-lived keys. Set iamInstanceProfile "
                "(AutoScalingGroupWithRole does).",
                None,
            )


instance_profile_required = ResourceValidationPolicy(
    name="ec2-instance-profile-required",
    description=(
        "Every EC2 instance, and every launch template, gets AWS access through an instance "
        "profile, not keys."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=_EXEMPTIONS,
    validate=_validate_instance_profile,
)


# --- encryption --------------------------------------------------------------------------------


def _volumes(resource_type: str, props: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(where it is declared, its settings) for each volume of a resource."""
    if resource_type == INSTANCE:
        root = [] if _from_template(props, "rootBlockDevice") else ["rootBlockDevice"]
        return [(where, props.get(where) or {}) for where in root] + [
            (f"ebsBlockDevices[{i}]", d) for i, d in enumerate(props.get("ebsBlockDevices") or [])
        ]
    if resource_type == LAUNCH_TEMPLATE:
        declared = [
            (f"blockDeviceMappings[{i}].ebs", m["ebs"])
            for i, m in enumerate(props.get("blockDeviceMappings") or [])
            if _get(m, "ebs") is not None
        ]
        # Without a mapping the root volume is as the AMI's snapshot has it: unencrypted
        # unless the account encrypts by default, which the template cannot show.
        return declared or [("blockDeviceMappings (the root volume)", {})]
    if resource_type == VOLUME:
        return [("the volume", props)]
    return []


def unencrypted_volumes(
    resource_type: str, props: Mapping[str, Any], *, require_kms_key: bool = False
) -> list[str]:
    """The volumes of a resource that are not encrypted (or, with ``require_kms_key``, not
    with a customer managed key), by where they are declared."""
    return [
        where
        for where, volume in _volumes(resource_type, props)
        if not truthy(_get(volume, "encrypted"))
        or (require_kms_key and not _get(volume, "kmsKeyId"))
    ]


def _validate_encryption(args: ResourceValidationArgs, report: ReportViolation) -> None:
    require_kms_key = bool(args.get_config().get("requireCustomerManagedKey", False))
    for where in unencrypted_volumes(
        args.resource_type, args.props, require_kms_key=require_kms_key
    ):
        if require_kms_key:
            message = f"{where} is not encrypted with a customer managed key. Set kmsKeyId."
        else:
            message = f"{where} is not encrypted. Set encrypted to true."
        report(message, None)


volumes_encrypted = ResourceValidationPolicy(
    name="ebs-volumes-encrypted",
    description="Root and EBS volumes of instances, launch templates and volumes are encrypted.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=_schema(
        requireCustomerManagedKey=_flag(
            False, "Also require a kmsKeyId (a customer managed KMS key)."
        )
    ),
    validate=_validate_encryption,
)


# --- public IP ---------------------------------------------------------------------------------


def _validate_public_ip(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if _exempt(args):
        return
    if args.resource_type == INSTANCE and truthy(args.props.get("associatePublicIpAddress")):
        report("The instance gets a public IP address. Reach it through Session Manager.", None)
    if args.resource_type == LAUNCH_TEMPLATE:
        for interface in args.props.get("networkInterfaces") or []:
            if truthy(_get(interface, "associatePublicIpAddress")):
                report("The launch template gives instances a public IP address.", None)


no_public_ip = ResourceValidationPolicy(
    name="ec2-no-public-ip",
    description="EC2 instances get no public IP address.",
    enforcement_level=EnforcementLevel.ADVISORY,
    config_schema=_EXEMPTIONS,
    validate=_validate_public_ip,
)


# --- IAM policy lint ---------------------------------------------------------------------------

_LINT_SCHEMA: Final = _schema(
    allowWildcardActions=_names(
        [], "Actions such as 's3:*' accepted in Allow statements of any policy."
    ),
    allowWildcardResourceActions=_names(
        [], "Actions accepted on Resource '*' although they support resource ARNs."
    ),
    allowUnknownActions=_names([], "Actions newer than the IAM action database."),
)


def lint_violation(document: Any, config: Mapping[str, Any], *, where: str) -> str | None:
    """The lint's message for a policy document (a JSON string or a dict), or None."""
    opt_ins = OptIns(
        allow_wildcard_actions=config.get("allowWildcardActions", ()),
        allow_wildcard_resource_actions=config.get("allowWildcardResourceActions", ()),
        allow_unknown_actions=config.get("allowUnknownActions", ()),
    )
    try:
        parsed = docs.parse_document(document, input_name=where)
        docs.check_policy_document(parsed, input_name=where, opt_ins=opt_ins)
    except InputError as error:
        return str(error)
    return None


def _policy_documents(args: ResourceValidationArgs) -> Iterable[tuple[str, Any]]:
    if args.resource_type in (ROLE_POLICY, MANAGED_POLICY):
        yield "policy", args.props.get("policy")
    elif args.resource_type == ROLE:
        # The deprecated inline_policies argument of aws.iam.Role.
        for index, inline in enumerate(args.props.get("inlinePolicies") or []):
            yield f"inlinePolicies[{index}].policy", _get(inline, "policy")


def _validate_lint(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for where, document in _policy_documents(args):
        if document and (
            message := lint_violation(plain(document), args.get_config(), where=where)
        ):
            report(message, None)


iam_policy_lint = ResourceValidationPolicy(
    name="iam-policy-lint",
    description="Role and managed IAM policies pass the lint against the IAM action database.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=_LINT_SCHEMA,
    validate=_validate_lint,
)


# --- stack rules: roles that EC2 can assume ----------------------------------------------------


def trusts_only_ec2(
    assume_role_policy: Any, allowed_actions: Iterable[str] = ("sts:AssumeRole",)
) -> bool:
    """Whether a trust policy lets only the EC2 service assume the role, with only
    ``allowed_actions``."""
    try:
        document = (
            json.loads(assume_role_policy)
            if isinstance(assume_role_policy, str)
            else plain(assume_role_policy)
        )
        statements = document["Statement"]
    except (TypeError, ValueError, KeyError):
        return False
    statements = statements if isinstance(statements, list) else [statements]
    allows = [s for s in statements if isinstance(s, Mapping) and s.get("Effect") == "Allow"]
    if not allows:
        return False
    for statement in allows:
        principal = statement.get("Principal")
        if not isinstance(principal, Mapping) or set(principal) != {"Service"}:
            return False
        services = principal["Service"]
        services = services if isinstance(services, list) else [services]
        if not services or not all(str(s).startswith("ec2.") for s in services):
            return False
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        if not actions or not set(actions) <= set(allowed_actions):
            return False
    return True


def trusted_by_ec2(assume_role_policy: Any) -> bool:
    """Whether EC2 is among the principals that may assume the role."""
    text = (
        assume_role_policy
        if isinstance(assume_role_policy, str)
        else json.dumps(plain(assume_role_policy))
    )
    return '"ec2.' in (text or "")


def _referenced(
    resource: PolicyResource, prop: str, of_type: str, resources: list[PolicyResource]
) -> PolicyResource | None:
    """The resource of ``of_type`` that ``resource``'s ``prop`` points at: through the
    property's dependencies (known during a preview), else by name or id."""
    for dependency in resource.property_dependencies.get(prop, []):
        if dependency.resource_type == of_type:
            return dependency
    value = resource.props.get(prop)
    if isinstance(value, Mapping):  # a launch template's {name} (or {arn})
        value = value.get("name") or str(value.get("arn") or "").rsplit("/", 1)[-1]
    for candidate in resources:
        if (
            candidate.resource_type == of_type
            and value
            and value
            in (
                candidate.props.get("name"),
                candidate.name,
            )
        ):
            return candidate
    return None


_FORBIDDEN_SCHEMA: Final = _schema(
    forbiddenPolicies=_names(
        list(DEFAULT_FORBIDDEN_POLICIES),
        "Names of AWS managed policies an EC2-trusted role may not carry.",
    )
)


def _broad_policies(
    resource: PolicyResource, resources: list[PolicyResource], forbidden: set[str]
) -> tuple[PolicyResource | None, list[str]]:
    """The EC2-trusted role a resource grants to, and the forbidden policies it grants."""
    if resource.resource_type == ATTACHMENT:
        role = _referenced(resource, "role", ROLE, resources)
    elif resource.resource_type == ROLE:
        role = resource
    else:
        return None, []
    if role is None or not trusted_by_ec2(role.props.get("assumeRolePolicy")):
        return None, []
    # Read only now: a new role's managedPolicyArns is an output unknown during a preview.
    if resource is role:
        arns = [str(a) for a in resource.props.get("managedPolicyArns") or []]
    else:
        arns = [str(resource.props.get("policyArn") or "")]
    return role, [n for n in (arn.rsplit("/", 1)[-1] for arn in arns) if n in forbidden]


def _validate_forbidden_policies(args: StackValidationArgs, report: ReportViolation) -> None:
    forbidden = set(args.get_config().get("forbiddenPolicies", DEFAULT_FORBIDDEN_POLICIES))
    for resource in args.resources:
        try:
            role, names = _broad_policies(resource, args.resources, forbidden)
        except UnknownValueError:
            continue  # a stack rule sees outputs; skip what a preview cannot know, not the rule
        for name in names:
            report(
                f"Role {role.name if role else '?'!r} can be assumed by EC2 and carries {name}: "
                "anything running on the instance would hold it. Grant the specific actions "
                "instead.",
                resource.urn,
            )


ec2_roles_no_broad_policies = StackValidationPolicy(
    name="ec2-role-no-admin-policies",
    description="A role that EC2 can assume carries no AdministratorAccess, PowerUserAccess or "
    "IAMFullAccess.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=_FORBIDDEN_SCHEMA,
    validate=_validate_forbidden_policies,
)


def _profile_role_problem(
    instance: PolicyResource, resources: list[PolicyResource], allowed_actions: list[str]
) -> str | None:
    what = "launch template" if instance.resource_type == LAUNCH_TEMPLATE else "instance"
    profile = _referenced(instance, "iamInstanceProfile", PROFILE, resources)
    if profile is None:
        return (
            f"The {what}'s profile is not an instance profile of this stack, so its role's "
            "trust policy cannot be checked. Create the profile here (InstanceRole)."
        )
    role = _referenced(profile, "role", ROLE, resources)
    if role is None:
        return f"Profile {profile.name!r} holds no role of this stack."
    if not trusts_only_ec2(role.props.get("assumeRolePolicy"), allowed_actions):
        return (
            f"Role {role.name!r}, which {what} {instance.name!r} runs as, can be assumed by "
            "principals other than the EC2 service (or with actions beyond sts:AssumeRole). "
            "Trust only the EC2 service principal (ec2.amazonaws.com) with sts:AssumeRole."
        )
    return None


def _validate_profile_roles(args: StackValidationArgs, report: ReportViolation) -> None:
    allowed_actions = list(args.get_config().get("allowedTrustActions", ["sts:AssumeRole"]))
    for instance in args.resources:
        if instance.resource_type not in (INSTANCE, LAUNCH_TEMPLATE):
            continue
        if instance.resource_type == INSTANCE and _from_template(
            instance.props, "iamInstanceProfile"
        ):
            continue  # the template's profile is checked on the template
        try:
            problem = _profile_role_problem(instance, args.resources, allowed_actions)
        except UnknownValueError:
            continue  # a stack rule sees outputs; skip what a preview cannot know, not the rule
        if problem:
            report(problem, instance.urn)


instance_roles_trust_only_ec2 = StackValidationPolicy(
    name="ec2-profile-role-trusts-only-ec2",
    description=(
        "Each instance's and launch template's profile resolves to a role in the stack that "
        "only EC2 may assume."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=_schema(
        allowedTrustActions=_names(
            ["sts:AssumeRole"], "Actions the EC2 principal may be allowed in the trust policy."
        )
    ),
    validate=_validate_profile_roles,
)

# --- stack rules: a network path to every AWS service an instance's role uses ------------------


def _reachability(args: StackValidationArgs) -> list[reachability.Reachability]:
    config = args.get_config()
    exempt = set(config.get("exemptResourceNames", []))
    try:
        verdicts = reachability.analyse(
            list(args.resources), ignored=frozenset(config.get("ignoredEndpoints", []))
        )
    except UnknownValueError:
        return []  # a preview that cannot know the network yet: judged again at `up`
    return [v for v in verdicts if v.instance.name not in exempt]


_REACHABILITY_SCHEMA: Final = _schema(
    exemptResourceNames=_names(
        [], "Logical names of instances this rule skips, each a reviewed exception."
    ),
    ignoredEndpoints=_names(
        [],
        "Endpoint names (such as 'xray') the rule does not require, each a reviewed exception.",
    ),
)


def _validate_reachable(args: StackValidationArgs, report: ReportViolation) -> None:
    for verdict in _reachability(args):
        if verdict.unreachable and verdict.routes_seen:
            report(reachability.violation(verdict), verdict.instance.urn)


def _validate_reachability_seen(args: StackValidationArgs, report: ReportViolation) -> None:
    for verdict in _reachability(args):
        if verdict.unreachable and not verdict.routes_seen:
            report(reachability.violation(verdict), verdict.instance.urn)
        for what in verdict.unresolved:
            report(
                f"Instance {verdict.instance.name!r}: {what}; the rule cannot check that the "
                "instance reaches it.",
                verdict.instance.urn,
            )


instances_reach_their_services = StackValidationPolicy(
    name="ec2-reaches-its-aws-services",
    description="Each instance has a network path (a public IP with an internet gateway, a NAT "
    "gateway, or a VPC endpoint) to every AWS service its role uses.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=_REACHABILITY_SCHEMA,
    validate=_validate_reachable,
)

reachability_visible = StackValidationPolicy(
    name="ec2-reachability-visible",
    description="The stack shows enough of each instance's network (its subnet's routes, the "
    "services of its policies) for the reachability rule to judge it.",
    enforcement_level=EnforcementLevel.ADVISORY,
    config_schema=_REACHABILITY_SCHEMA,
    validate=_validate_reachability_seen,
)

RESOURCE_POLICIES: Final = [
    imdsv2_required,
    metadata_hop_limit,
    groups_use_launch_templates,
    instance_profile_required,
    volumes_encrypted,
    no_public_ip,
    iam_policy_lint,
]
STACK_POLICIES: Final = [
    ec2_roles_no_broad_policies,
    instance_roles_trust_only_ec2,
    instances_reach_their_services,
    reachability_visible,
]
POLICIES: Final = [*RESOURCE_POLICIES, *STACK_POLICIES]
