"""InstanceRole: the IAM role an EC2 instance runs as, its policies, and its instance profile.

Usable alone (launch templates, auto scaling groups, instances managed elsewhere) and shareable by
several instances; :class:`~components.instance_with_role.InstanceWithRole` composes it.
"""

# No `from __future__ import annotations` here: the component host's schema analyzer reads the
# annotations of InstanceRoleArgs and InstanceRole at runtime and needs them as types, not strings.
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

import pulumi
import pulumi_aws as aws

from . import policy_documents as docs
from . import validation as v
from ._inputs import (
    DeployTimeChecks,
    checked,
    contains_unknowns,
    deferred,
    known_or_none,
    with_unknowns,
    with_whole_numbers,
)
from ._lookups import partition_for, shared
from ._meta import PACKAGE_NAME

#: The AWS managed policy that lets Systems Manager (Session Manager) reach the instance.
SESSION_MANAGER_POLICY_NAME = "AmazonSSMManagedInstanceCore"
#: The key of Session Manager's attachment among the managed policy attachments.
SESSION_MANAGER_KEY = "session-manager"
#: IAM's default quota of managed policies per role (adjustable up to the hard limit).
MANAGED_POLICIES_DEFAULT_QUOTA = 10
MANAGED_POLICIES_HARD_LIMIT = 20

if TYPE_CHECKING:
    PolicyDocumentInput = pulumi.Input[str | Mapping[str, Any]]
else:
    # The schema analyzer refuses union types, so at runtime (where it looks) a document is
    # `Any`: the package schema types it as `pulumi.json#/Any`, which lets TypeScript, Go and
    # YAML callers pass either an object or its JSON text. Python callers keep the precise type
    # for their type checker. Either way the component parses and checks the document itself.
    PolicyDocumentInput = pulumi.Input[Any]


class InstanceRoleArgs(TypedDict, total=False):
    """Settings of an :class:`InstanceRole`. Every field is optional."""

    role_name: pulumi.Input[str]
    """Optional. Defaults to a unique name generated from the component's name. The IAM role's
    name: at most 64 letters, digits and `+=,.@_-`. Conflicts with `role_name_prefix`."""

    role_name_prefix: str
    """Optional. Defaults to none. A prefix for a unique generated role name, at most 38
    characters (the provider adds 26). Conflicts with `role_name`."""

    path: str
    """Optional. Defaults to `/`. The IAM path of the role and its instance profile."""

    description: str
    """Optional. Defaults to none. The role's description, at most 1000 characters."""

    max_session_duration: int
    """Optional. Defaults to 3600. Longest session, in seconds (3600 to 43200), for callers that
    assume the role themselves; EC2's own instance credentials are not affected."""

    permissions_boundary: pulumi.Input[str]
    """Optional. Defaults to none. ARN of a managed policy that caps what the role can ever be
    granted."""

    tags: Mapping[str, pulumi.Input[str]]
    """Optional. Defaults to none (the provider's default tags still apply). Tags for the role
    and the instance profile."""

    inline_policies: Mapping[str, PolicyDocumentInput]
    """Optional. Defaults to none. Inline policies by name: each value is an IAM policy document
    (a dict or a JSON string; values inside may be Outputs). The name is the policy's name in IAM
    and keys the child resource, so adding or reordering entries never replaces another."""

    managed_policy_arns: Mapping[str, pulumi.Input[str]]
    """Optional. Defaults to none. Managed policies to attach, keyed by a name you choose
    (for example `{"cloudwatch-agent": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"}`);
    the key names the attachment, so adding or reordering entries never replaces another."""

    enable_session_manager: bool
    """Optional. Defaults to `false`. Attach `AmazonSSMManagedInstanceCore` (ARN built for the
    stack's partition) so Session Manager can open shells without SSH keys or open ports."""

    exclusive_policy_management: bool
    """Optional. Defaults to `true`. Own the role's policy lists exclusively
    (`aws.iam.RolePoliciesExclusive` and `aws.iam.RolePolicyAttachmentsExclusive`): a policy put
    on the role outside this program shows as drift on refresh and is removed on the next
    update. Set `false` only when other programs attach policies to this role."""

    allow_wildcard_actions: Sequence[str]
    """Optional. Defaults to none. An Allow of Action `*` or `service:*` is refused unless that
    exact action is listed here (for example `"s3:*"`): an explicit, visible opt-in."""

    allow_wildcard_resource_actions: Sequence[str]
    """Optional. Defaults to none. An Allow on Resource `*` of an action that supports
    resource-level permissions is refused unless the action, as written in the policy, is
    listed here (for example `"ec2:StartInstances"`)."""

    allow_unknown_actions: Sequence[str]
    """Optional. Defaults to none. An action the IAM action database does not know is refused as
    a likely typo (with the nearest known action suggested) unless it is listed here: for
    actions newer than the database. A listed action is also not checked against the resource
    types the database gives it."""

    instance_profile_name: pulumi.Input[str]
    """Optional. Defaults to a unique name generated from the component's name. The instance
    profile's name, at most 128 characters; it may differ from the role's. Conflicts with
    `instance_profile_name_prefix`."""

    instance_profile_name_prefix: str
    """Optional. Defaults to none. A prefix for a unique generated profile name, at most 102
    characters. Conflicts with `instance_profile_name`."""


#: Fields that configure a new role; giving any with an existing role is a conflict.
ROLE_SETTINGS: tuple[str, ...] = tuple(InstanceRoleArgs.__annotations__)


class InstanceRole(pulumi.ComponentResource):
    """An IAM role that only EC2 may assume, its inline and managed policies, and the instance
    profile that carries it to an instance."""

    role_name: pulumi.Output[str]
    """Name of the IAM role."""

    role_arn: pulumi.Output[str]
    """ARN of the IAM role."""

    instance_profile_name: pulumi.Output[str]
    """Name of the instance profile; give this to an instance or launch template. It resolves
    only once every policy of the role is in place, so whatever uses it waits for them."""

    instance_profile_arn: pulumi.Output[str]
    """ARN of the instance profile."""

    def __init__(
        self,
        name: str,
        # Not Optional: the schema analyzer takes the inputs from this annotation. Pass `{}` for
        # a role with no permissions beyond the trust policy.
        args: InstanceRoleArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        args = _normalized(name, args)
        # Inside an InstanceWithRole, its checks and the role's are one gate.
        gate = DeployTimeChecks.current() or DeployTimeChecks()
        with gate.active():
            # Everything that can be checked without the provider is checked before anything
            # is registered, the component included.
            plan = _RolePlan.from_args(name, args)
            super().__init__(f"{PACKAGE_NAME}:index:InstanceRole", name, None, opts)

            # Asked of the provider the children use (another region, China), once per
            # program for each provider.
            partition = partition_for(self)
            managed = plan.managed_arns(partition)
            boundary = plan.boundary_in(partition)

        # Every child waits for the checks of the values known only at deploy time: one that
        # fails leaves no role, policy or profile behind (see DeployTimeChecks).
        checks_passed = gate.barrier()
        child = pulumi.ResourceOptions(parent=self, depends_on=checks_passed)
        # The provider's own table of service principals (a lookup, no AWS call); see
        # docs.ec2_trust_policy.
        # Asked, and rendered, once per program and provider, like the partition.
        trust_policy = shared(
            self,
            docs.ec2_trust_policy,
            lambda: aws.get_service_principal_output(
                service_name="ec2", opts=pulumi.InvokeOutputOptions(parent=self)
            ).name.apply(lambda service: docs.render(docs.ec2_trust_policy(service))),
        )
        self.role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=trust_policy,
            name=plan.role_name,
            name_prefix=args.get("role_name_prefix"),
            # Omitted, the provider's default "/" (the schema of aws_iam_role and
            # aws_iam_instance_profile in terraform-provider-aws); sending it adds nothing.
            path=args.get("path"),
            description=args.get("description"),
            max_session_duration=args.get("max_session_duration"),
            permissions_boundary=boundary,
            tags=args.get("tags"),
            opts=child,
        )
        """The IAM role (escape hatch)."""

        self.inline_policies: dict[str, aws.iam.RolePolicy] = {
            key: aws.iam.RolePolicy(
                f"{name}-inline-{key}",
                role=self.role.id,
                name=key,
                policy=document,
                opts=child,
            )
            for key, document in plan.inline_documents.items()
        }
        """The inline policies by name (escape hatch)."""

        self.managed_policy_attachments: dict[str, aws.iam.RolePolicyAttachment] = {
            key: aws.iam.RolePolicyAttachment(
                f"{name}-managed-{key}",
                role=self.role.name,
                policy_arn=arn,
                opts=child,
            )
            for key, arn in managed.items()
        }
        """The managed policy attachments by key (escape hatch); Session Manager's is keyed
        `session-manager`."""

        self.policy_resources: list[pulumi.Resource] = [
            *self.inline_policies.values(),
            *self.managed_policy_attachments.values(),
        ]
        """Every resource that grants the role a permission; an instance that depends on these
        has its permissions from first boot."""

        if args.get("exclusive_policy_management", True):
            # After the attachments they list, so a create never races one being attached.
            # A copy: the list grows below, and neither resource may wait on the other.
            after_policies = pulumi.ResourceOptions(
                parent=self, depends_on=[*self.policy_resources, *checks_passed]
            )
            self.policy_resources.append(
                aws.iam.RolePoliciesExclusive(
                    f"{name}-exclusive-inline",
                    role_name=self.role.name,
                    policy_names=[p.name for p in self.inline_policies.values()],
                    opts=after_policies,
                )
            )
            self.policy_resources.append(
                aws.iam.RolePolicyAttachmentsExclusive(
                    f"{name}-exclusive-managed",
                    role_name=self.role.name,
                    policy_arns=[a.policy_arn for a in self.managed_policy_attachments.values()],
                    opts=after_policies,
                )
            )

        self.instance_profile = aws.iam.InstanceProfile(
            f"{name}-profile",
            role=self.role.name,
            name=plan.profile_name,
            name_prefix=args.get("instance_profile_name_prefix"),
            path=args.get("path"),
            tags=args.get("tags"),
            opts=child,
        )
        """The instance profile (escape hatch)."""

        self.role_name = self.role.name
        self.role_arn = self.role.arn
        # The name carries a dependency on every policy resource, so whatever launches with it
        # (an InstanceWithRole given `existing_instance_profile_name`, a launch template, a
        # consumer in another language) waits until the role has all its permissions. The
        # URNs are known during a preview, so they never make the name unknown.
        self.instance_profile_name = pulumi.Output.all(
            self.instance_profile.name, *(r.urn for r in self.policy_resources)
        ).apply(lambda values: str(values[0]))
        self.instance_profile_arn = self.instance_profile.arn
        self.register_outputs(
            {
                "role_name": self.role_name,
                "role_arn": self.role_arn,
                "instance_profile_name": self.instance_profile_name,
                "instance_profile_arn": self.instance_profile_arn,
            }
        )


def check_instance_role_args(name: str, args: InstanceRoleArgs) -> None:
    """Raises :class:`~components.validation.InputError` for settings an :class:`InstanceRole`
    named ``name`` would refuse; registers nothing."""
    _RolePlan.from_args(name, _normalized(name, args))


def _normalized(name: str, args: InstanceRoleArgs) -> InstanceRoleArgs:
    """``args`` as a dict, whole numbers from other languages as ints (see with_whole_numbers)."""
    v.check_args_mapping(args, component="InstanceRole", name=name)
    return InstanceRoleArgs(**with_whole_numbers(args, ("max_session_duration",)))


class _RolePlan:
    """The checked form of :class:`InstanceRoleArgs`."""

    def __init__(
        self,
        *,
        role_name: pulumi.Input[str] | None,
        profile_name: pulumi.Input[str] | None,
        inline_documents: dict[str, pulumi.Input[str]],
        managed: dict[str, pulumi.Input[str]],
        session_manager: bool,
        permissions_boundary: pulumi.Input[str] | None,
    ) -> None:
        self.role_name = role_name
        self.profile_name = profile_name
        self.inline_documents = inline_documents
        self._managed = managed
        self._session_manager = session_manager
        self.permissions_boundary = permissions_boundary

    @classmethod
    def from_args(cls, name: str, args: InstanceRoleArgs) -> "_RolePlan":
        unknown = sorted(set(args) - set(ROLE_SETTINGS))
        if unknown:
            raise v.InputError(
                f"InstanceRole {name!r} got unknown argument(s) {', '.join(unknown)}. Known: "
                f"{', '.join(ROLE_SETTINGS)}."
            )
        role_name = _checked_name(
            name,
            args,
            field="role_name",
            what="role",
            child="role",
            max_length=v.ROLE_NAME_MAX,
            prefix_max_length=v.ROLE_NAME_PREFIX_MAX,
        )
        profile_name = _checked_name(
            name,
            args,
            field="instance_profile_name",
            what="instance profile",
            child="profile",
            max_length=v.INSTANCE_PROFILE_NAME_MAX,
            prefix_max_length=v.INSTANCE_PROFILE_NAME_PREFIX_MAX,
        )
        if "path" in args:
            v.check_iam_path(args["path"], input_name="path")
        if "description" in args:
            v.check_description(args["description"], input_name="description")
        if "max_session_duration" in args:
            v.check_max_session_duration(
                args["max_session_duration"], input_name="max_session_duration"
            )
        if "tags" in args:
            v.check_tags(args["tags"], input_name="tags")
        wildcard_actions = list(args.get("allow_wildcard_actions", []))
        wildcard_resources = list(args.get("allow_wildcard_resource_actions", []))
        docs.check_opt_in_list(wildcard_actions, input_name="allow_wildcard_actions")
        docs.check_opt_in_list(wildcard_resources, input_name="allow_wildcard_resource_actions")
        unknown_actions = list(args.get("allow_unknown_actions", []))
        docs.check_opt_in_list(unknown_actions, input_name="allow_unknown_actions")
        boundary = args.get("permissions_boundary")
        if boundary is not None:
            boundary = checked(
                boundary,
                lambda arn: _no_return(
                    v.parse_managed_policy_arn(arn, input_name="permissions_boundary")
                ),
            )
        managed = _managed_arns(args.get("managed_policy_arns", {}))
        session_manager = bool(args.get("enable_session_manager"))
        if session_manager:
            _check_session_manager_not_given_twice(args.get("managed_policy_arns", {}))
        _check_managed_count(len(managed) + session_manager)
        return cls(
            role_name=role_name,
            profile_name=profile_name,
            inline_documents=_inline_documents(
                args.get("inline_policies", {}),
                docs.OptIns(
                    allow_wildcard_actions=wildcard_actions,
                    allow_wildcard_resource_actions=wildcard_resources,
                    allow_unknown_actions=unknown_actions,
                ),
            ),
            managed=managed,
            session_manager=session_manager,
            permissions_boundary=boundary,
        )

    def boundary_in(self, partition: str) -> pulumi.Input[str] | None:
        """The permissions boundary, checked against the stack's partition."""
        if self.permissions_boundary is None:
            return None
        return checked(
            self.permissions_boundary,
            lambda arn: v.check_managed_policy_partition(
                arn, partition, input_name="permissions_boundary"
            ),
        )

    def managed_arns(self, partition: str) -> dict[str, pulumi.Input[str]]:
        """The attachments to make, the partition now known."""
        managed: dict[str, pulumi.Input[str]] = {}
        for key, arn in self._managed.items():
            input_name = f"managed_policy_arns[{key!r}]"
            managed[key] = checked(
                arn,
                lambda a, n=input_name: v.check_managed_policy_partition(
                    a, partition, input_name=n
                ),
            )
        if self._session_manager:
            managed[SESSION_MANAGER_KEY] = docs.managed_policy_arn(
                partition, SESSION_MANAGER_POLICY_NAME
            )
        return managed


def _no_return(_: object) -> None:
    return None


def _checked_name(
    name: str,
    args: InstanceRoleArgs,
    *,
    field: str,
    what: str,
    child: str,
    max_length: int,
    prefix_max_length: int,
) -> pulumi.Input[str] | None:
    """A checked explicit name, or ``None`` for a generated one (after checking it fits)."""
    value: pulumi.Input[str] | None = args.get(field)
    prefix: str | None = args.get(f"{field}_prefix")
    v.check_name_or_prefix(
        value,
        prefix,
        name_input=field,
        prefix_input=f"{field}_prefix",
        max_length=max_length,
        prefix_max_length=prefix_max_length,
    )
    if value is None:
        if prefix is None:
            v.check_autoname_fits(
                f"{name}-{child}",
                max_length=max_length,
                what=what,
                fix=f"Give a shorter component name, or set {field} or {field}_prefix.",
            )
        return None
    # A name known only at deploy time is checked when it resolves.
    return checked(value, lambda n: v.check_iam_name(n, input_name=field, max_length=max_length))


def _inline_documents(
    policies: Mapping[str, PolicyDocumentInput], opt_ins: docs.OptIns
) -> dict[str, pulumi.Input[str]]:
    if not isinstance(policies, Mapping):
        raise v.InputError(
            "inline_policies must be a mapping of policy names to policy documents; got "
            f"{type(policies).__name__}. Key each document by a name you choose."
        )
    rendered: dict[str, pulumi.Input[str]] = {}
    seen: dict[str, str] = {}
    known_length = 0
    for key, document in policies.items():
        input_name = f"inline_policies[{key!r}]"
        # A usable key is a usable policy name too: IAM's characters, at most 128.
        v.check_policy_key(key, input_name="inline_policies")

        def finish(resolved: Any, input_name: str = input_name) -> str:
            parsed = docs.parse_document(resolved, input_name=input_name)
            docs.check_policy_document(parsed, input_name=input_name, opt_ins=opt_ins)
            return docs.render(parsed)

        plain = known_or_none(document)
        if plain is None:
            # A whole document known only at deploy time (for example the json of
            # aws.iam.get_policy_document_output) is checked when it resolves.
            rendered[key] = deferred(pulumi.Output.from_input(document).apply(finish))
            continue
        partial = with_unknowns(docs.parse_document(plain, input_name=input_name))
        docs.check_policy_document(partial, input_name=input_name, opt_ins=opt_ins)
        if contains_unknowns(partial):
            rendered[key] = deferred(pulumi.Output.from_input(document).apply(finish))
            continue
        fingerprint = docs.document_fingerprint(partial)
        if fingerprint in seen:
            raise v.InputError(
                f"{input_name} is the same document as inline_policies[{seen[fingerprint]!r}]. "
                "Keep one of them."
            )
        seen[fingerprint] = key
        known_length += docs.minified_length(partial)
        rendered[key] = docs.render(partial)  # wholly known, and checked just above
    if known_length > docs.INLINE_POLICIES_MAX_CHARACTERS:
        raise v.InputError(
            f"inline_policies add up to {known_length} characters without white space; IAM "
            f"allows {docs.INLINE_POLICIES_MAX_CHARACTERS} per role. Move some statements to a "
            "customer managed policy and attach it through managed_policy_arns."
        )
    return rendered


def _managed_arns(arns: Mapping[str, pulumi.Input[str]]) -> dict[str, pulumi.Input[str]]:
    if not isinstance(arns, Mapping):
        raise v.InputError(
            "managed_policy_arns must be a mapping of names you choose to policy ARNs; got "
            f"{type(arns).__name__}. A list would key attachments by position, so reordering "
            "it would replace them."
        )
    # One known only at deploy time is checked when it resolves, with its partition
    # (_RolePlan.managed_arns), which parses it first.
    seen: dict[str, str] = {}
    for key, arn in arns.items():
        v.check_policy_key(key, input_name="managed_policy_arns")
        input_name = f"managed_policy_arns[{key!r}]"
        if (plain := known_or_none(arn)) is not None:
            v.parse_managed_policy_arn(plain, input_name=input_name)
            if plain in seen:
                raise v.InputError(
                    f"{input_name} attaches {plain}, as managed_policy_arns[{seen[plain]!r}] "
                    "does already. Keep one of them."
                )
            seen[plain] = key
    return dict(arns)


def _check_managed_count(total: int) -> None:
    if total > MANAGED_POLICIES_HARD_LIMIT:
        raise v.InputError(
            f"The role would have {total} managed policies; IAM attaches at most "
            f"{MANAGED_POLICIES_HARD_LIMIT} to a role. Combine some into a customer managed "
            "policy."
        )
    if total > MANAGED_POLICIES_DEFAULT_QUOTA:
        pulumi.log.warn(
            f"The role would have {total} managed policies; IAM's default quota is "
            f"{MANAGED_POLICIES_DEFAULT_QUOTA} per role. Raise the quota first or the attach fails."
        )


def _check_session_manager_not_given_twice(arns: Mapping[str, pulumi.Input[str]]) -> None:
    if SESSION_MANAGER_KEY in arns:
        raise v.InputError(
            f"managed_policy_arns key {SESSION_MANAGER_KEY!r} is reserved for the attachment "
            "enable_session_manager makes. Choose another key."
        )
    suffix = f":iam::aws:policy/{SESSION_MANAGER_POLICY_NAME}"
    for key, arn in arns.items():
        if isinstance(arn, str) and arn.endswith(suffix):
            raise v.InputError(
                f"managed_policy_arns[{key!r}] is {arn}, which enable_session_manager attaches "
                "already. Remove one of them."
            )
