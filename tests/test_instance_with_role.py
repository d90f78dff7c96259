"""InstanceWithRole under mocks: the instance, its metadata options, and its role."""

import pytest

from components import InstanceRole, InstanceRoleArgs, InstanceWithRole, InstanceWithRoleArgs
from components.instance_with_role import INSTANCE_SETTINGS
from components.validation import InputError
from offline.mocks import AL2023_PARAMETER, AwsMocks, AwsTarget, default_subnets, run_program

from conftest import role_named, type_not_in_zone_a

INSTANCE = "aws:ec2/instance:Instance"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
EXCLUSIVE = (
    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
)


def build(args=None, **kwargs):
    def program():
        component = InstanceWithRole("app", args or {})
        return {
            "instance_id": component.instance_id,
            "instance_arn": component.instance_arn,
            "private_ip": component.private_ip,
            "role_name": component.role_name,
            "role_arn": component.role_arn,
            "instance_profile_name": component.instance_profile_name,
            "instance_profile_arn": component.instance_profile_arn,
        }

    return run_program(program, **kwargs)


def instance_inputs(args=None):
    return build(args).one(INSTANCE).inputs


def test_instance_requires_imdsv2_tokens():
    assert instance_inputs()["metadataOptions"]["httpTokens"] == "required"


def test_instance_keeps_the_metadata_endpoint_enabled():
    assert instance_inputs()["metadataOptions"]["httpEndpoint"] == "enabled"


def test_no_input_can_set_the_metadata_token_requirement():
    assert not any("token" in field for field in InstanceWithRoleArgs.__annotations__)
    with pytest.raises(InputError) as raised:
        run_program(lambda: InstanceWithRole("app", {"http_tokens": "optional", "imdsv1": True}))  # type: ignore[typeddict-unknown-key]
    assert str(raised.value) == (
        "InstanceWithRole 'app' got unknown argument(s) http_tokens, imdsv1. Known: "
        f"{', '.join(INSTANCE_SETTINGS)}."
    )


def test_metadata_hop_limit_defaults_to_one():
    assert instance_inputs()["metadataOptions"]["httpPutResponseHopLimit"] == 1


def test_whole_numbers_sent_as_floats_by_other_languages_are_taken_as_integers():
    # Numbers cross the component host's wire as doubles: 2 arrives as 2.0.
    inputs = instance_inputs({"metadata_hop_limit": 2.0, "root_volume_size": 16.0})  # type: ignore[typeddict-item]
    assert inputs["metadataOptions"]["httpPutResponseHopLimit"] == 2
    assert inputs["rootBlockDevice"]["volumeSize"] == 16


def test_metadata_hop_limit_of_two_is_allowed_for_container_hosts():
    inputs = instance_inputs(InstanceWithRoleArgs(metadata_hop_limit=2))
    assert inputs["metadataOptions"]["httpPutResponseHopLimit"] == 2


def test_instance_metadata_tags_are_off_by_default():
    assert instance_inputs()["metadataOptions"]["instanceMetadataTags"] == "disabled"


def test_instance_metadata_tags_can_be_turned_on():
    inputs = instance_inputs(InstanceWithRoleArgs(instance_metadata_tags=True))
    assert inputs["metadataOptions"]["instanceMetadataTags"] == "enabled"


def test_root_volume_is_encrypted_gp3_by_default():
    root = instance_inputs()["rootBlockDevice"]
    assert root["encrypted"] is True
    assert root["volumeType"] == "gp3"
    assert "kmsKeyId" not in root


def test_root_volume_uses_the_given_kms_key_and_stays_encrypted():
    key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    root = instance_inputs(InstanceWithRoleArgs(root_volume_kms_key_id=key))["rootBlockDevice"]
    assert root["kmsKeyId"] == key
    assert root["encrypted"] is True


def test_root_volume_size_and_type_can_be_chosen():
    args = InstanceWithRoleArgs(root_volume_size=30, root_volume_type="gp2")
    root = instance_inputs(args)["rootBlockDevice"]
    assert (root["volumeSize"], root["volumeType"]) == (30, "gp2")


def test_instance_gets_no_public_ip_by_default():
    assert instance_inputs()["associatePublicIpAddress"] is False


def test_instance_without_subnet_launches_into_the_lowest_default_subnet():
    # The provider sends AssociatePublicIpAddress only with a subnet; without one, a default
    # subnet's map-public-IP-on-launch would hand the instance a public IP after all.
    run = build()
    assert run.one(INSTANCE).inputs["subnetId"] == min(default_subnets(AwsTarget()))
    (lookup,) = [c for c in run.mocks.calls if c.token == "aws:ec2/getSubnets:getSubnets"]
    assert lookup.args["filters"][0] == {"name": "default-for-az", "values": ["true"]}


def test_default_subnet_is_in_a_zone_that_offers_the_instance_type():
    # t3 is not offered in every zone (use1-az3 of us-east-1): a default subnet there would
    # fail RunInstances at `up`.
    mocks = AwsMocks()
    mocks.zones_without = {"eu-west-1a"}
    run = build(InstanceWithRoleArgs(instance_type="t3.medium"), mocks=mocks)
    (offerings,) = [c for c in mocks.calls if c.token.endswith("getInstanceTypeOfferings")]
    assert offerings.args["filters"] == [{"name": "instance-type", "values": ["t3.medium"]}]
    chosen = run.one(INSTANCE).inputs["subnetId"]
    offered = [
        s
        for s in default_subnets(AwsTarget())
        if mocks._getSubnet({"id": s})["availabilityZone"] != "eu-west-1a"
    ]
    assert chosen == min(offered)
    assert chosen != min(default_subnets(AwsTarget())), "the lowest ID is in eu-west-1a"


def test_no_default_subnet_in_a_zone_offering_the_type_is_refused_with_the_fix():
    mocks = AwsMocks()
    mocks.zones_without = {"eu-west-1a", "eu-west-1b", "eu-west-1c"}
    run = build(InstanceWithRoleArgs(instance_type="t3.medium"), mocks=mocks, capture_error=True)
    # EC2 reads a filter without values as matching any zone: no subnet lookup is made then.
    assert not [c for c in mocks.calls if c.token == "aws:ec2/getSubnets:getSubnets"]
    with pytest.raises(
        InputError, match=r"No default VPC subnet is in an Availability Zone that offers t3\.medium"
    ):
        raise run.raised(InputError)


def test_subnet_id_given_as_none_means_the_default_subnet():
    # subnet_id=cfg.get("subnetId") passes None; sending no subnet would let a default subnet
    # hand the instance a public IP (the provider sends "no public IP" only with a subnet).
    run = build(InstanceWithRoleArgs(subnet_id=None))  # type: ignore[typeddict-item]
    assert run.one(INSTANCE).inputs["subnetId"] == min(default_subnets(AwsTarget()))
    assert run.of_type("ec2-instance-role:index:ExistingNetwork")


def test_default_subnet_is_recorded_for_the_reachability_rules():
    run = build()
    record = run.one("ec2-instance-role:index:ExistingNetwork")
    assert record.parent == run.one("ec2-instance-role:index:InstanceWithRole").urn
    assert record.outputs["subnet_id"] == run.one(INSTANCE).inputs["subnetId"]
    assert record.outputs["default_route"].startswith("igw-")


def test_given_subnet_is_not_recorded():
    run = build(InstanceWithRoleArgs(subnet_id="subnet-0123456789abcdef0"))
    assert not run.of_type("ec2-instance-role:index:ExistingNetwork")


def test_given_subnet_needs_no_default_subnet_lookup():
    run = build(InstanceWithRoleArgs(subnet_id="subnet-0123456789abcdef0"))
    assert run.one(INSTANCE).inputs["subnetId"] == "subnet-0123456789abcdef0"
    assert not [c for c in run.mocks.calls if c.token == "aws:ec2/getSubnets:getSubnets"]


def test_instance_gets_a_public_ip_only_when_asked():
    assert instance_inputs({"associate_public_ip_address": True})["associatePublicIpAddress"]


def test_instance_uses_the_instance_profile_of_its_role():
    run = build()
    assert run.one(INSTANCE).inputs["iamInstanceProfile"] == run.one(PROFILE).state["name"]


def test_instance_depends_on_every_policy_resource_of_its_role():
    run = build(
        InstanceWithRoleArgs(
            role=InstanceRoleArgs(
                enable_session_manager=True,
                inline_policies={
                    "read": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:GetObject",
                                "Resource": "arn:aws:s3:::b/*",
                            }
                        ],
                    }
                },
                managed_policy_arns={"cw": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"},
            )
        )
    )
    grants = run.of_type(ROLE_POLICY) + run.of_type(ATTACHMENT) + [run.one(t) for t in EXCLUSIVE]
    assert len(grants) == 5
    missing = {g.name for g in grants} - {
        r.name for r in run.registrations if r.urn in run.one(INSTANCE).dependencies
    }
    assert not missing, f"the instance does not wait for {missing}"


def test_instance_waits_for_the_policies_of_an_existing_role():
    def program():
        shared = InstanceRole(
            "shared",
            {"managed_policy_arns": {"cw": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"}},
        )
        InstanceWithRole("app", {"existing_instance_profile_name": shared.instance_profile_name})

    run = run_program(program)
    attachment = run.one(ATTACHMENT)
    assert attachment.urn in run.one(INSTANCE).dependencies


def test_one_existing_role_is_shared_by_two_instances():
    def program():
        shared = InstanceRole("shared", {})
        InstanceWithRole("web", {"existing_instance_profile_name": shared.instance_profile_name})
        InstanceWithRole("worker", {"existing_instance_profile_name": shared.instance_profile_name})

    run = run_program(program)
    profile = run.one(PROFILE).state["name"]
    instances = run.of_type(INSTANCE)
    assert [i.inputs["iamInstanceProfile"] for i in instances] == [profile, profile]
    assert len(run.of_type("aws:iam/role:Role")) == 1


def test_instance_waits_for_the_exclusive_policy_resources_of_an_existing_role():
    def program():
        shared = InstanceRole("shared", {})
        InstanceWithRole("app", {"existing_instance_profile_name": shared.instance_profile_name})

    run = run_program(program)
    dependencies = run.one(INSTANCE).property_dependencies["iamInstanceProfile"]
    for exclusive in EXCLUSIVE:
        assert run.one(exclusive).urn in dependencies, exclusive


def test_existing_profile_made_outside_the_program_is_launched_with_as_named():
    run = build({"existing_instance_profile_name": "made-by-terraform"})
    assert run.one(INSTANCE).inputs["iamInstanceProfile"] == "made-by-terraform"
    assert not run.of_type(PROFILE)
    assert not run.of_type("aws:iam/role:Role")


def test_existing_profile_leaves_the_role_outputs_unset():
    outputs = build({"existing_instance_profile_name": "made-by-terraform"}).returned
    assert outputs["instance_profile_name"] == "made-by-terraform"
    assert outputs["role_name"] is None
    assert outputs["role_arn"] is None
    assert outputs["instance_profile_arn"] is None


def test_existing_profile_still_gives_role_outputs_a_caller_can_apply():
    # They are typed Output[str | None]: a caller's apply on them must run, not fail on None.
    import pulumi

    def program():
        component = InstanceWithRole("app", {"existing_instance_profile_name": "made-elsewhere"})
        return {
            "role": component.role_name.apply(lambda name: f"role {name}"),
            "arns": pulumi.Output.all(component.role_arn, component.instance_profile_arn).apply(
                lambda arns: f"arns {arns}"
            ),
        }

    assert run_program(program).returned == {"role": "role None", "arns": "arns [None, None]"}


def test_ami_changes_are_ignored_on_existing_instances_by_default():
    assert build().one(INSTANCE).ignore_changes == ["ami"]


def test_ami_changes_replace_the_instance_when_opted_in():
    run = build(InstanceWithRoleArgs(replace_on_ami_change=True))
    assert run.one(INSTANCE).ignore_changes == []


def test_ami_defaults_to_the_newest_amazon_linux_2023_from_ssm():
    run = build()
    (lookup,) = [c for c in run.mocks.calls if c.token == "aws:ssm/getParameter:getParameter"]
    assert lookup.args["name"] == AL2023_PARAMETER
    assert run.one(INSTANCE).inputs["ami"].startswith("ami-")


def test_explicit_ami_is_used_without_a_lookup():
    run = build(InstanceWithRoleArgs(ami="ami-0123456789abcdef0"))
    assert run.one(INSTANCE).inputs["ami"] == "ami-0123456789abcdef0"
    assert not [c for c in run.mocks.calls if c.token == "aws:ssm/getParameter:getParameter"]


def test_instance_type_defaults_to_t3_micro():
    assert instance_inputs()["instanceType"] == "t3.micro"


def test_name_tag_defaults_to_the_component_name():
    inputs = instance_inputs({"tags": {"Team": "platform"}})
    assert inputs["tags"] == {"Name": "app", "Team": "platform"}
    assert inputs["rootBlockDevice"]["tags"] == {"Name": "app", "Team": "platform"}


def test_name_tag_given_by_the_caller_wins():
    assert instance_inputs({"tags": {"Name": "MyApp"}})["tags"] == {"Name": "MyApp"}


def test_optional_instance_settings_reach_the_instance():
    inputs = instance_inputs(
        InstanceWithRoleArgs(
            instance_type="t3.medium",
            subnet_id="subnet-0123456789abcdef0",
            vpc_security_group_ids=["sg-0123456789abcdef0"],
            key_name="my-key",
            user_data="#!/bin/bash\necho hi",
            detailed_monitoring=True,
            ebs_optimized=True,
            termination_protection=True,
        )
    )
    assert inputs["instanceType"] == "t3.medium"
    assert inputs["subnetId"] == "subnet-0123456789abcdef0"
    assert inputs["vpcSecurityGroupIds"] == ["sg-0123456789abcdef0"]
    assert inputs["keyName"] == "my-key"
    assert inputs["userData"] == "#!/bin/bash\necho hi"
    assert inputs["monitoring"] is True
    assert inputs["ebsOptimized"] is True
    assert inputs["disableApiTermination"] is True


def test_monitoring_and_termination_protection_are_off_by_default():
    inputs = instance_inputs()
    assert inputs["monitoring"] is False
    assert inputs["disableApiTermination"] is False


def test_every_child_is_parented_to_the_component():
    run = build()
    bundle = run.one("ec2-instance-role:index:InstanceWithRole")
    role = run.one("ec2-instance-role:index:InstanceRole")
    assert role.parent == bundle.urn
    assert run.one(INSTANCE).parent == bundle.urn
    for child in run.custom():
        assert child.parent in (bundle.urn, role.urn), child.name


def test_outputs_resolve_to_the_children_values():
    run = build()
    instance, profile = run.one(INSTANCE), run.one(PROFILE).state
    role = run.one("aws:iam/role:Role").state
    assert run.returned == {
        "instance_id": instance.id,
        "instance_arn": instance.state["arn"],
        "private_ip": instance.state["privateIp"],
        "role_name": role["name"],
        "role_arn": role["arn"],
        "instance_profile_name": profile["name"],
        "instance_profile_arn": profile["arn"],
    }
    assert instance.id.startswith("i-")


def _asked(run, token):
    return [dict(c.args) for c in run.mocks.calls if c.token == token]


def test_instances_of_one_program_look_up_the_ami_parameter_once():
    run = run_program(lambda: [InstanceWithRole(f"app{i}", {}) for i in range(3)])
    assert len(_asked(run, "aws:ssm/getParameter:getParameter")) == 1
    amis = {r.inputs["ami"] for r in run.of_type("aws:ec2/instance:Instance")}
    assert len(amis) == 1


def test_an_instance_under_its_own_provider_looks_up_the_ami_itself():
    import pulumi
    import pulumi_aws as aws

    def program():
        other = aws.Provider("other", region="us-west-2")
        InstanceWithRole("a", {})
        InstanceWithRole("b", {}, pulumi.ResourceOptions(providers=[other]))

    run = run_program(program)
    asked = [c for c in run.mocks.calls if c.token == "aws:ssm/getParameter:getParameter"]
    assert sorted(bool(c.provider) for c in asked) == [False, True]


def test_instances_of_one_type_look_up_the_default_subnet_and_its_network_once():
    run = run_program(lambda: [InstanceWithRole(f"app{i}", {}) for i in range(3)])
    for token in (
        "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings",
        "aws:ec2/getSubnets:getSubnets",
        "aws:ec2/getSubnet:getSubnet",
        "aws:ec2/getVpc:getVpc",
    ):
        assert len(_asked(run, token)) == 1, token


def test_instances_in_one_default_subnet_share_one_record_of_it():
    run = run_program(lambda: [InstanceWithRole(f"app{i}", {}) for i in range(3)])
    records = run.of_type("ec2-instance-role:index:ExistingNetwork")
    (first,) = [
        r for r in run.of_type("ec2-instance-role:index:InstanceWithRole") if r.name == "app0"
    ]
    assert [(r.name, r.parent) for r in records] == [("app0-network", first.urn)]
    assert records[0].outputs["subnet_id"] == run.named("app2-instance").inputs["subnetId"]


def test_an_instance_of_another_type_looks_up_its_own_default_subnet():
    def program():
        InstanceWithRole("a", {"instance_type": "t3.micro"})
        InstanceWithRole("b", {"instance_type": "m7i.large"})

    asked = _asked(
        run_program(program), "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings"
    )
    assert len(asked) == 2


def tags(count, prefix="k"):
    return {f"{prefix}{i}": "v" for i in range(count)}


def test_49_tags_and_the_implicit_name_tag_make_the_50_aws_allows():
    assert len(instance_inputs({"tags": tags(49)})["tags"]) == 50


def test_50_tags_and_the_implicit_name_tag_are_refused_as_51():
    run = build({"tags": tags(50)}, capture_error=True)
    assert str(run.raised(InputError)) == "tags has 51 tags; AWS allows at most 50 per resource."
    assert run.registrations == []


def test_50_tags_that_include_name_are_the_50_aws_allows():
    given = {**tags(49), "Name": "MyApp"}
    assert instance_inputs({"tags": given})["tags"] == given


def test_a_tag_key_metadata_cannot_serve_is_fine_with_metadata_tags_off():
    assert instance_inputs({"tags": {"Cost Center": "1"}})["tags"]["Cost Center"] == "1"


def test_a_tag_key_metadata_cannot_serve_is_refused_with_metadata_tags_on_even_last():
    run = build(
        {
            "tags": {"Team": "a", "team:owner": "b", "Cost Center": "1"},
            "instance_metadata_tags": True,
        },
        capture_error=True,
    )
    assert str(run.raised(InputError)).startswith(
        "tags key 'Cost Center' cannot be served through instance metadata"
    )
    assert run.registrations == []


def test_tags_metadata_can_serve_are_accepted_with_metadata_tags_on():
    given = {"Team": "a", "team:owner": "b"}
    inputs = instance_inputs({"tags": given, "instance_metadata_tags": True})
    assert inputs["tags"] == {"Name": "app", **given}


def late(value):
    """``value`` as an Output that resolves during the run, as a resource's output would."""
    import pulumi

    return pulumi.Output.from_input("x").apply(lambda _: value)


def test_a_type_known_only_at_deployment_picks_a_default_subnet_in_a_zone_offering_it():
    mocks = AwsMocks()
    mocks.zones_without = {"eu-west-1a"}
    run = run_program(
        lambda: InstanceWithRole("app", {"instance_type": late("t3.medium")}), mocks=mocks
    )
    (offerings,) = [c for c in mocks.calls if c.token.endswith("getInstanceTypeOfferings")]
    assert offerings.args["filters"] == [{"name": "instance-type", "values": ["t3.medium"]}]
    chosen = run.one(INSTANCE).inputs["subnetId"]
    assert mocks._getSubnet({"id": chosen})["availabilityZone"] != "eu-west-1a"


def test_instances_whose_type_is_known_only_at_deployment_each_find_and_record_their_subnet():
    # The answers are shared by instance type, which is not known yet: each asks for its own.
    run = run_program(
        lambda: [InstanceWithRole(f"app{i}", {"instance_type": late("t3.micro")}) for i in (0, 1)]
    )
    assert len(_asked(run, "aws:ec2/getSubnets:getSubnets")) == 2
    assert len(_asked(run, "aws:ec2/getVpc:getVpc")) == 2
    records = run.of_type("ec2-instance-role:index:ExistingNetwork")
    assert sorted(r.name for r in records) == ["app0-network", "app1-network"]
    lowest = min(default_subnets(AwsTarget()))
    assert [r.outputs["subnet_id"] for r in records] == [lowest, lowest]


def test_root_volume_key_given_as_an_arn_is_sent_without_a_lookup():
    key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    run = build({"root_volume_kms_key_id": key})
    assert run.one(INSTANCE).inputs["rootBlockDevice"]["kmsKeyId"] == key
    assert _asked(run, "aws:kms/getKey:getKey") == []


@pytest.mark.parametrize("when", ["now", "at deployment"])
def test_root_volume_key_given_as_an_alias_is_sent_as_the_arn_of_its_key(when):
    alias = "alias/app-volumes"
    run = run_program(
        lambda: InstanceWithRole(
            "app", {"root_volume_kms_key_id": alias if when == "now" else late(alias)}
        )
    )
    [lookup] = _asked(run, "aws:kms/getKey:getKey")
    assert lookup["keyId"] == alias
    expected = run.mocks._getKey({"keyId": alias})["arn"]
    assert expected.startswith("arn:aws:kms:eu-west-1:")
    assert run.one(INSTANCE).inputs["rootBlockDevice"]["kmsKeyId"] == expected


def security_groups(count):
    return [f"sg-{i:017x}" for i in range(count)]


def test_sixteen_security_groups_the_most_ec2_attaches_are_accepted():
    inputs = instance_inputs({"vpc_security_group_ids": security_groups(16)})
    assert inputs["vpcSecurityGroupIds"] == security_groups(16)


def test_seventeen_security_groups_are_refused():
    run = build({"vpc_security_group_ids": security_groups(17)}, capture_error=True)
    assert str(run.raised(InputError)) == (
        "vpc_security_group_ids has 17 groups; EC2 attaches at most 16 to a network interface. "
        "Merge some of their rules."
    )
    assert run.registrations == []


def _warnings(caplog, count):
    caplog.clear()
    with caplog.at_level("WARNING"):
        build({"vpc_security_group_ids": security_groups(count)})
    return [r.getMessage() for r in caplog.records if "vpc_security_group_ids" in r.getMessage()]


def test_security_groups_over_the_default_quota_warn_that_it_must_be_raised(caplog):
    assert _warnings(caplog, 6) == [
        "vpc_security_group_ids has 6 groups; the default quota is 5 per network interface. "
        "Raise the quota first or the launch fails."
    ]


def test_security_groups_within_the_default_quota_warn_nothing(caplog):
    assert _warnings(caplog, 5) == []


def test_lookups_are_asked_every_time_under_a_monitor_that_takes_no_weak_reference(monkeypatch):
    from components import _lookups

    monitor = object()  # a plain object takes no weak reference
    monkeypatch.setattr(_lookups, "get_monitor", lambda: monitor)

    class Parent:
        def get_provider(self, token):
            return None

    answers = [_lookups.shared(Parent(), (Parent, "key"), lambda i=i: i) for i in range(2)]  # type: ignore[arg-type]
    assert answers == [0, 1]


@pytest.mark.parametrize("key", ["answer", ("answer", len), None], ids=["str", "tuple", "none"])
def test_a_lookup_key_that_does_not_start_with_the_asking_function_is_refused(key):
    """A function object cannot be misspelt or collide with another lookup's key; a string or
    None could."""
    from components import _lookups

    class Parent:
        def get_provider(self, token):
            return None

    with pytest.raises(
        TypeError, match=r"^shared\(\) needs a function as the key, or first in it; got "
    ):
        _lookups.shared(Parent(), key, lambda: 42)  # type: ignore[arg-type]


@pytest.mark.parametrize("known", [True, False], ids=["type known", "type at deployment"])
def test_an_instance_under_its_own_provider_finds_its_default_subnet_through_it(known):
    import pulumi
    import pulumi_aws as aws

    def program():
        other = aws.Provider("other", region="us-west-2")
        kind = "t3.micro" if known else late("t3.micro")
        InstanceWithRole("b", {"instance_type": kind}, pulumi.ResourceOptions(providers=[other]))

    run = run_program(program)
    tokens = {
        "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings",
        "aws:ec2/getSubnets:getSubnets",
        "aws:ec2/getSubnet:getSubnet",
        "aws:ec2/getVpc:getVpc",
    }
    asked = [c for c in run.mocks.calls if c.token in tokens]
    assert {c.token for c in asked} == tokens
    other = run.named("other").urn + "::"
    assert [c.token for c in asked if not c.provider.startswith(other)] == []


def test_the_up_front_check_names_the_component_it_checks_for():
    from components import check_instance_with_role_args

    with pytest.raises(InputError) as raised:
        check_instance_with_role_args("web", ["t3.micro"])  # type: ignore[arg-type]
    assert str(raised.value) == (
        "InstanceWithRole 'web' got args=['t3.micro']; args must be a dict of settings "
        "(InstanceWithRoleArgs). Pass {} for every default."
    )


def test_a_kms_alias_is_looked_up_after_what_the_component_depends_on():
    # An alias created in the same program exists only once its resource is created.
    import pulumi

    def program():
        made_first = role_named("made-first")
        InstanceWithRole(
            "app",
            {"root_volume_kms_key_id": "alias/app-volumes"},
            pulumi.ResourceOptions(depends_on=[made_first]),
        )

    run = run_program(program)
    assert run.one(INSTANCE).property_dependencies["rootBlockDevice"] == [
        run.named("made-first").urn
    ]


def test_a_kms_alias_is_looked_up_through_the_components_own_provider():
    import pulumi
    import pulumi_aws as aws

    def program():
        other = aws.Provider("other", region="us-west-2")
        InstanceWithRole(
            "app",
            {"root_volume_kms_key_id": "alias/app-volumes"},
            pulumi.ResourceOptions(providers=[other]),
        )

    run = run_program(program)
    [lookup] = [c for c in run.mocks.calls if c.token == "aws:kms/getKey:getKey"]
    assert lookup.provider.startswith(run.named("other").urn + "::")


def test_a_kms_alias_that_does_not_exist_fails_before_any_resource_is_created():
    run = run_program(
        lambda: InstanceWithRole("app", {"root_volume_kms_key_id": "alias/missing"}),
        capture_error=True,
    )
    assert "reading KMS Key (alias/missing): NotFoundException" in str(run.error)
    # Components may be registered before the lookup fails (they create nothing in AWS).
    assert run.custom() == []


def test_a_bad_key_known_late_at_deployment_leaves_no_record_of_the_default_subnet():
    # The key resolves after another resource is created, long after the component built its
    # children: the record (a component, no resource of the key's) waits for the checks too.
    def program():
        other = role_named("other")
        InstanceWithRole("app", {"root_volume_kms_key_id": other.arn.apply(lambda _: "not a key")})

    run = run_program(program, capture_error=True)
    assert str(run.raised(InputError)).startswith("root_volume_kms_key_id 'not a key'")
    assert run.of_type("ec2-instance-role:index:ExistingNetwork") == []
    assert [r.name for r in run.custom()] == ["other"]


def test_an_instance_in_a_given_subnet_has_no_network_record():
    def program():
        return InstanceWithRole("app", {"subnet_id": "subnet-0123456789abcdef0"}).network is None

    assert run_program(program).returned is True


def test_a_change_of_user_data_replaces_the_instance_by_default():
    assert instance_inputs()["userDataReplaceOnChange"] is True


def test_instances_of_types_in_different_default_subnets_get_a_record_each():
    def program():
        InstanceWithRole("a", {"instance_type": "t3.micro"})
        InstanceWithRole("b", {"instance_type": "m7i.large"})

    run = run_program(program, mocks=type_not_in_zone_a())
    records = {
        r.name: r.outputs["subnet_id"]
        for r in run.of_type("ec2-instance-role:index:ExistingNetwork")
    }
    assert records == {
        "a-network": run.named("a-instance").inputs["subnetId"],
        "b-network": run.named("b-instance").inputs["subnetId"],
    }
    assert records["a-network"] != records["b-network"]


def test_a_change_of_user_data_can_update_the_instance_in_place_instead():
    inputs = instance_inputs({"replace_on_user_data_change": False})
    assert inputs["userDataReplaceOnChange"] is False


def test_termination_protection_also_protects_the_instance_from_pulumi():
    assert build({"termination_protection": True}).one(INSTANCE).options.get("protect") is True


def test_without_termination_protection_pulumi_may_replace_the_instance():
    assert "protect" not in build().one(INSTANCE).options


def test_the_component_registers_its_outputs_by_their_names():
    run = build()
    registered = run.one("ec2-instance-role:index:InstanceWithRole").outputs
    assert registered == {
        "instance_id": run.returned["instance_id"],
        "instance_arn": run.returned["instance_arn"],
        "private_ip": run.returned["private_ip"],
        "role_name": run.returned["role_name"],
        "role_arn": run.returned["role_arn"],
        "instance_profile_name": run.returned["instance_profile_name"],
        "instance_profile_arn": run.returned["instance_profile_arn"],
    }
    assert registered["instance_id"] == run.one(INSTANCE).id
