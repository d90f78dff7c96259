"""Which endpoints an instance needs, derived from its role (components/network/services.py),
the credential guard (perimeter.py) and the stack's network-mode checks (app/network.py)."""

import json

import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data

from app import network
from components import policy_documents as docs
from components._values import UNKNOWN
from components.network import (
    MANAGED_POLICY_SERVICES,
    NetworkFacts,
    ServiceNeeds,
    credential_network_guard,
    endpoint_for_prefix,
    endpoint_type,
    endpoints_for_prefix,
    needed_endpoints,
    needed_endpoints_for_role,
)
from components.policy_lint import OptIns
from components.validation import InputError
from offline.mocks import run_program, unknown_output

from conftest import CLOUDWATCH_AGENT, queue_policy, read_objects_policy

SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"


def allow(*actions, resource="*"):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}],
    }


# --- IAM prefix -> endpoint name ---------------------------------------------------------------


def test_cloudwatch_actions_are_served_by_the_monitoring_endpoint():
    # botocore's cloudwatch model: endpointPrefix "monitoring".
    assert endpoint_for_prefix("cloudwatch") == "monitoring"


def test_prefix_and_endpoint_share_a_name_for_most_services():
    assert [endpoint_for_prefix(p) for p in ("s3", "sqs", "secretsmanager", "logs", "ec2")] == [
        "s3",
        "sqs",
        "secretsmanager",
        "logs",
        "ec2",
    ]


def test_session_manager_message_services_are_known_without_a_botocore_model():
    assert endpoint_for_prefix("ssmmessages") == "ssmmessages"
    assert endpoint_for_prefix("ec2messages") == "ec2messages"


def test_prefix_with_an_endpoint_but_no_model_of_its_name_maps_to_itself():
    # Step Functions: IAM prefix and endpoint "states", botocore model "stepfunctions".
    assert endpoint_for_prefix("states") == "states"


def test_prefix_matching_is_case_insensitive_as_iams_is():
    assert endpoint_for_prefix("CloudWatch") == "monitoring"


@pytest.mark.parametrize(
    ("prefix", "endpoints"),
    [
        ("ecr", ("ecr.api", "ecr.dkr")),
        ("kinesis", ("kinesis-streams",)),
        ("execute-api", ("execute-api",)),
    ],
)
def test_prefixes_privatelink_names_otherwise_than_botocore_use_privatelinks_names(
    prefix, endpoints
):
    assert endpoints_for_prefix(prefix) == endpoints


def test_an_ecr_pull_needs_both_ecr_endpoints():
    assert needed_endpoints({"p": allow("ecr:BatchGetImage")}, {}).endpoints == (
        "ecr.api",
        "ecr.dkr",
    )


def test_unknown_prefix_has_no_endpoint():
    assert endpoint_for_prefix("nosuchservice") is None


def test_s3_and_dynamodb_get_gateway_endpoints_and_the_rest_interface_ones():
    assert [endpoint_type(e) for e in ("s3", "dynamodb", "sqs", "monitoring")] == [
        "Gateway",
        "Gateway",
        "Interface",
        "Interface",
    ]


# --- what a role needs -------------------------------------------------------------------------


def test_inline_policy_actions_name_their_endpoints():
    needs = needed_endpoints({"app": allow("s3:GetObject", "sqs:SendMessage")}, {})
    assert needs.endpoints == ("s3", "sqs")
    assert needs.reasons["sqs"] == ("sqs:SendMessage in policy 'app'",)


def test_session_manager_needs_ssm_ssmmessages_and_ec2messages():
    assert needed_endpoints({}, {}, session_manager=True).endpoints == (
        "ec2messages",
        "ssm",
        "ssmmessages",
    )


def test_cloudwatch_agent_policy_needs_metrics_logs_ec2_and_ssm():
    needs = needed_endpoints({}, {"cw": CLOUDWATCH_AGENT})
    assert needs.endpoints == ("ec2", "logs", "monitoring", "ssm")
    assert not needs.unresolved


@pytest.mark.parametrize("name", sorted(MANAGED_POLICY_SERVICES))
def test_managed_policy_table_matches_the_policys_own_document(name):
    # moto ships a copy of the AWS managed policies: the table may leave out a service the
    # policy grants (X-Ray, for traces the agent forwards only when configured to), never add one.
    policy = json.loads(aws_managed_policies_data)[name]
    granted = {
        action.split(":", 1)[0]
        for statement in policy["Document"]["Statement"]
        for action in docs.as_list(statement["Action"])
    }
    listed = set(MANAGED_POLICY_SERVICES[name])
    assert listed <= granted
    assert granted - listed <= {"xray"}


def test_customer_managed_policy_is_unresolved_with_the_fix():
    needs = needed_endpoints({}, {"mine": "arn:aws:iam::123456789012:policy/Mine"})
    (what,) = needs.unresolved
    assert "managed_policy_arns['mine'] attaches arn:aws:iam::123456789012:policy/Mine" in what
    assert "name the endpoints it needs explicitly" in what


def test_deny_statements_need_no_endpoint():
    assert needed_endpoints({"guard": credential_network_guard()}, {}).endpoints == ()


def test_pass_role_is_a_permission_not_a_call_and_needs_no_iam_endpoint():
    needs = needed_endpoints({"p": allow("iam:PassRole", "ec2:RunInstances")}, {})
    assert needs.endpoints == ("ec2",)


def test_action_star_cannot_name_its_services():
    (what,) = needed_endpoints({"p": allow("*")}, {}).unresolved
    assert "allows Action '*'" in what


def test_not_action_cannot_name_its_services():
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
    }
    (what,) = needed_endpoints({"p": document}, {}).unresolved
    assert "NotAction" in what


def test_action_of_an_unknown_service_is_unresolved():
    (what,) = needed_endpoints({"p": allow("nosuchservice:Do")}, {}).unresolved
    assert "'nosuchservice', which has no known VPC endpoint" in what


def test_check_resolved_raises_with_every_unresolved_item():
    needs = needed_endpoints({"p": allow("*")}, {"mine": "arn:aws:iam::123456789012:policy/M"})
    with pytest.raises(InputError, match=r"allows Action '\*'.*; managed_policy_arns\['mine'\]"):
        needs.check_resolved()


def test_check_resolved_says_what_it_cannot_tell_then_each_item():
    with pytest.raises(InputError) as raised:
        ServiceNeeds(unresolved=("first thing", "second thing")).check_resolved()
    assert str(raised.value) == (
        "Cannot tell which AWS service endpoints the instance needs: first thing; second thing"
    )


def test_check_resolved_passes_when_everything_resolved():
    ServiceNeeds(reasons={"sts": ("requested explicitly",)}).check_resolved()


def test_extra_endpoints_are_added_for_calls_no_policy_shows():
    assert needed_endpoints({}, {}, extra=["sts"]).reasons == {"sts": ("requested explicitly",)}


def test_role_settings_give_inline_managed_and_session_manager_endpoints():
    needs = needed_endpoints_for_role(
        {
            "inline_policies": {
                "objects": read_objects_policy(),
                "queue": json.dumps(queue_policy()),
            },
            "managed_policy_arns": {"cw": CLOUDWATCH_AGENT},
            "enable_session_manager": True,
        }
    )
    assert needs.endpoints == (
        "ec2",
        "ec2messages",
        "logs",
        "monitoring",
        "s3",
        "sqs",
        "ssm",
        "ssmmessages",
    )


def test_role_whose_document_is_known_only_at_deploy_time_is_unresolved():
    def program():
        needs = needed_endpoints_for_role({"inline_policies": {"later": unknown_output()}})
        return list(needs.unresolved)

    assert run_program(program).returned == ["policy 'later' is known only at deploy time"]


def test_role_without_session_manager_needs_no_session_manager_endpoint():
    role = {"inline_policies": {"queue": queue_policy()}}
    assert needed_endpoints_for_role(role).endpoints == ("sqs",)


def test_role_with_an_inline_policy_that_is_not_json_is_refused_naming_it():
    with pytest.raises(InputError) as raised:
        needed_endpoints_for_role({"inline_policies": {"bad": "{not json"}})
    assert str(raised.value) == (
        "inline_policies['bad'] is not valid JSON (Expecting property name enclosed in double "
        "quotes at line 1 column 2). Pass a dict, or a JSON string of an IAM policy document."
    )


def test_managed_policy_known_only_at_deploy_time_is_unresolved_with_the_fix():
    (what,) = needed_endpoints({}, {"later": None}).unresolved
    assert what == (
        "managed_policy_arns['later'] attaches a value known only at deploy time, whose services "
        "this project does not know; name the endpoints it needs explicitly"
    )


def test_an_aws_managed_policy_under_a_path_is_not_the_one_of_its_last_name():
    arn = "arn:aws:iam::aws:policy/service-role/CloudWatchAgentServerPolicy"
    (what,) = needed_endpoints({}, {"cw": arn}).unresolved
    assert what.startswith(f"managed_policy_arns['cw'] attaches {arn}, whose services")


def test_an_aws_managed_policy_of_another_partition_is_known():
    arn = "arn:aws-cn:iam::aws:policy/CloudWatchAgentServerPolicy"
    assert (
        needed_endpoints({}, {"cw": arn}).endpoints
        == needed_endpoints({}, {"cw": CLOUDWATCH_AGENT}).endpoints
    )


def test_statements_known_only_at_deploy_time_are_unresolved():
    needs = needed_endpoints({"p": {"Version": "2012-10-17", "Statement": UNKNOWN}}, {})
    assert needs.unresolved == ("policy 'p' has statements known only at deploy time",)


def test_an_action_known_only_at_deploy_time_is_unresolved_beside_the_known_ones():
    needs = needed_endpoints({"p": allow("sqs:SendMessage", UNKNOWN)}, {})
    assert (needs.endpoints, needs.unresolved) == (
        ("sqs",),
        ("policy 'p' has an action known only at deploy time",),
    )


def test_every_kind_of_statement_and_action_is_accounted_for_in_order():
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"},
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            {"Effect": "Allow", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage", 5, "*", "nosuch:Do", "logs:Put:Events"],
                "Resource": "*",
            },
        ],
    }
    needs = needed_endpoints(
        {"later": None, "a": document}, {}, session_manager=True, extra=["sts"]
    )
    assert needs == ServiceNeeds(
        reasons={
            "ec2messages": ("Session Manager",),
            "logs": ("logs:Put:Events in policy 'a'",),
            "sqs": ("sqs:SendMessage in policy 'a'",),
            "ssm": ("Session Manager",),
            "ssmmessages": ("Session Manager",),
            "sts": ("requested explicitly",),
        },
        unresolved=(
            "policy 'later' is known only at deploy time",
            "policy 'a' allows NotAction, which grants every other service; name the endpoints "
            "explicitly",
            "policy 'a' has an action known only at deploy time",
            "policy 'a' allows Action '*', which names no service; name the endpoints explicitly",
            "nosuch:Do in policy 'a' names service 'nosuch', which has no known VPC endpoint; "
            "reach it through a NAT gateway or public egress, or name its endpoint explicitly",
        ),
    )


def test_session_manager_attachment_given_by_arn_needs_the_same_endpoints():
    by_flag = needed_endpoints({}, {}, session_manager=True).endpoints
    assert needed_endpoints({}, {"ssm": SSM_CORE}).endpoints == by_flag


# --- the credential guard ----------------------------------------------------------------------


#: Both statements apply only to credentials EC2 delivered to an instance, and exempt calls an
#: AWS service makes on the role's behalf.
_INSTANCE_NOT_VIA_A_SERVICE = {
    "Null": {"ec2:SourceInstanceARN": "false"},
    "BoolIfExists": {"aws:ViaAWSService": "false"},
}


def test_the_guard_is_a_policy_of_the_two_documented_denies():
    assert credential_network_guard()["Version"] == "2012-10-17"
    assert [s["Sid"] for s in credential_network_guard()["Statement"]] == [
        "RequireSameVPC",
        "RequireSameInstanceAddress",
    ]


def test_guard_first_statement_is_awss_documented_same_vpc_deny():
    assert credential_network_guard()["Statement"][0] == {
        "Sid": "RequireSameVPC",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {
            "StringNotEquals": {"aws:SourceVpc": "${aws:Ec2InstanceSourceVpc}"},
            **_INSTANCE_NOT_VIA_A_SERVICE,
        },
    }


def test_guard_second_statement_is_awss_documented_same_address_deny():
    assert credential_network_guard()["Statement"][1] == {
        "Sid": "RequireSameInstanceAddress",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {
            "StringNotEquals": {"aws:Ec2InstanceSourcePrivateIPv4": "${aws:VpcSourceIp}"},
            **_INSTANCE_NOT_VIA_A_SERVICE,
        },
    }


def test_the_policy_lint_accepts_the_guard():
    docs.check_policy_document(credential_network_guard(), input_name="guard", opt_ins=OptIns())


# --- the stack's network modes -----------------------------------------------------------------


def facts(**changes):
    values = {
        "subnet_id": "subnet-0123456789abcdef0",
        "vpc_id": "vpc-0123456789abcdef0",
        "availability_zone": "eu-west-1a",
        "default_for_az": True,
        "vpc_cidr": "172.31.0.0/16",
        "vpc_dns_support": True,
        "vpc_dns_hostnames": True,
        "route_table_id": "rtb-0123456789abcdef0",
        "default_route": "igw-0123456789abcdef0",
    }
    return NetworkFacts(**{**values, **changes})


def test_unknown_network_mode_is_refused_with_the_three_modes():
    with pytest.raises(
        InputError, match=r"networkMode 'private' is not a network mode. Use public"
    ):
        network.check_network_mode("private", subnet_id="", existing_endpoints=[])


def test_own_subnet_mode_needs_a_subnet():
    with pytest.raises(InputError, match="networkMode own-subnet needs subnetId"):
        network.check_network_mode("own-subnet", subnet_id="", existing_endpoints=[])


def test_existing_endpoints_outside_the_endpoint_mode_are_refused():
    with pytest.raises(InputError, match="existingEndpointServices is set, but networkMode"):
        network.check_network_mode("public-egress", subnet_id="", existing_endpoints=["ssm"])


def test_public_egress_refuses_a_subnet_routed_to_a_nat_gateway():
    with pytest.raises(InputError, match=r"routes 0.0.0.0/0 to nat-0abc .*not to an internet"):
        network.check_network_path("public-egress", facts(default_route="nat-0abc"))


def test_public_egress_refuses_a_subnet_without_a_default_route():
    with pytest.raises(InputError, match=r"routes 0.0.0.0/0 nowhere"):
        network.check_network_path("public-egress", facts(default_route=None))


def test_public_egress_accepts_a_subnet_routed_to_an_internet_gateway():
    network.check_network_path("public-egress", facts())


def test_endpoint_mode_refuses_a_vpc_without_dns_hostnames():
    with pytest.raises(InputError, match=r"DNS hostnames False.*modify-vpc-attribute"):
        network.check_network_path("vpc-endpoints", facts(vpc_dns_hostnames=False))


def test_own_subnet_mode_accepts_whatever_the_subnet_routes_to():
    network.check_network_path("own-subnet", facts(default_route=None))


@pytest.mark.parametrize("service", ["ec2", "cloudwatch", "stepfunctions", "s3"])
def test_model_metadata_read_from_the_files_head_is_the_whole_models(service):
    from botocore.loaders import Loader

    from components.network.services import _model_metadata

    loader = Loader()
    assert (
        _model_metadata(loader, service)
        == loader.load_service_model(service, "service-2")["metadata"]
    )


def test_service_without_a_botocore_model_has_no_metadata():
    from botocore.loaders import Loader

    from components.network.services import _model_metadata

    assert _model_metadata(Loader(), "states") is None


class _ModelFiles:
    """A botocore loader over model files written for the test; its full load is recorded, so a
    test can tell the head of the file was read instead."""

    def __init__(self, root, full=None):
        self.search_paths = [str(root)]
        self.full = full
        self.full_loads: list[tuple[str, str, str]] = []

    def list_api_versions(self, service, type_name):
        return ["2010-01-01", "2020-01-01"]

    def load_service_model(self, service, type_name, version):
        self.full_loads.append((service, type_name, version))
        return {"metadata": self.full}


def _write_model(root, body, *, compressed):
    import gzip

    folder = root / "svc" / "2020-01-01"
    folder.mkdir(parents=True)
    if compressed:
        with gzip.open(folder / "service-2.json.gz", "wt", encoding="utf-8") as file:
            file.write(body)
    else:
        (folder / "service-2.json").write_text(body, encoding="utf-8")


@pytest.mark.parametrize("compressed", [True, False], ids=["gzip", "plain"])
def test_model_metadata_of_the_newest_version_comes_from_the_files_head(tmp_path, compressed):
    from components.network.services import _model_metadata

    _write_model(
        tmp_path,
        '{"version": "2.0", "metadata": {"endpointPrefix": "svc"}, "operations": {}}',
        compressed=compressed,
    )
    loader = _ModelFiles(tmp_path)
    assert _model_metadata(loader, "svc") == {"endpointPrefix": "svc"}
    assert loader.full_loads == []


def test_model_metadata_is_the_first_object_of_that_name_in_the_file(tmp_path):
    from components.network.services import _model_metadata

    later = '"shapes": {"S": {"type": "structure", "metadata": {"endpointPrefix": "later"}}}'
    _write_model(
        tmp_path,
        '{"version": "2.0", "metadata": {"endpointPrefix": "svc"}, ' + later + "}",
        compressed=False,
    )
    assert _model_metadata(_ModelFiles(tmp_path), "svc") == {"endpointPrefix": "svc"}


def test_model_metadata_past_the_files_head_comes_from_the_whole_model(tmp_path):
    from components.network.services import _model_metadata

    padding = '"documentation": "' + "x" * 20000 + '", '
    _write_model(
        tmp_path, "{" + padding + '"metadata": {"endpointPrefix": "svc"}}', compressed=True
    )
    loader = _ModelFiles(tmp_path, full={"endpointPrefix": "from-the-whole-model"})
    assert _model_metadata(loader, "svc") == {"endpointPrefix": "from-the-whole-model"}
    assert loader.full_loads == [("svc", "service-2", "2020-01-01")]


def test_model_metadata_without_a_model_file_comes_from_the_loader(tmp_path):
    from components.network.services import _model_metadata

    loader = _ModelFiles(tmp_path, full={"endpointPrefix": "elsewhere"})
    assert _model_metadata(loader, "svc") == {"endpointPrefix": "elsewhere"}
    assert loader.full_loads == [("svc", "service-2", "2020-01-01")]
