"""An endpoint made elsewhere, looked up to be used instead of created
(components/network/endpoints.py ``look_up_existing_endpoint``): what it returns, and each
refusal's message whole."""

import pulumi
import pulumi_aws as aws
import pytest

from components.network.endpoints import (
    EndpointService,
    ExistingEndpoint,
    look_up_existing_endpoint,
    look_up_existing_endpoints,
)
from components.validation import InputError
from offline.mocks import OWN_VPC, AwsMocks, ProviderError, run_program

SSM = EndpointService("ssm", "com.amazonaws.eu-west-1.ssm", "Interface", ("eu-west-1a",))
S3 = EndpointService("s3", "com.amazonaws.eu-west-1.s3", "Gateway", ("eu-west-1a",))
TABLES = ["rtb-0bbbbbbbbbbbbbbbb", "rtb-0aaaaaaaaaaaaaaaa"]


def _mocks(service, **endpoint):
    mocks = AwsMocks()
    mocks.existing_endpoints[service.service_name] = {
        "id": "vpce-0existing",
        "vpcId": OWN_VPC,
        "serviceName": service.service_name,
        "vpcEndpointType": service.service_type,
        **endpoint,
    }
    return mocks


def _look_up(service, mocks, tables=(), opts=None):
    def program():
        return look_up_existing_endpoint(service, OWN_VPC, list(tables), opts=opts)

    run = run_program(program, mocks=mocks, capture_error=True)
    if run.error is not None:
        raise run.raised(InputError)
    return run.returned


def _refusal(service, mocks, tables=()):
    with pytest.raises(InputError) as raised:
        _look_up(service, mocks, tables)
    return str(raised.value)


def test_an_interface_endpoint_with_private_dns_is_used_with_its_groups():
    mocks = _mocks(SSM, privateDnsEnabled=True, securityGroupIds=["sg-1", "sg-2"], prefixListId="")
    assert _look_up(SSM, mocks, TABLES) == ExistingEndpoint(
        endpoint="ssm",
        id="vpce-0existing",
        service_type="Interface",
        security_group_ids=("sg-1", "sg-2"),
        prefix_list_id=None,
    )


def test_a_gateway_endpoint_on_every_route_table_is_used_with_its_prefix_list():
    mocks = _mocks(
        S3,
        privateDnsEnabled=False,
        routeTableIds=[*TABLES, "rtb-0cccccccccccccccc"],
        prefixListId="pl-0123abcd",
    )
    assert _look_up(S3, mocks, TABLES) == ExistingEndpoint(
        endpoint="s3",
        id="vpce-0existing",
        service_type="Gateway",
        security_group_ids=(),
        prefix_list_id="pl-0123abcd",
    )


def test_a_gateway_endpoint_missing_route_tables_is_refused_naming_them_in_order():
    mocks = _mocks(S3, routeTableIds=["rtb-0cccccccccccccccc"])
    assert _refusal(S3, mocks, TABLES) == (
        "The existing 's3' gateway endpoint vpce-0existing is not on route table(s) "
        "rtb-0aaaaaaaaaaaaaaaa, rtb-0bbbbbbbbbbbbbbbb, so the instance's subnet would not use "
        "it. Add them to the endpoint, or create one here."
    )


def test_a_gateway_endpoint_on_no_route_table_is_refused():
    mocks = _mocks(S3, routeTableIds=None)
    assert "not on route table(s) rtb-0aaaaaaaaaaaaaaaa, rtb-0bbbbbbbbbbbbbbbb," in _refusal(
        S3, mocks, TABLES
    )


def test_an_interface_endpoint_needs_no_route_table():
    mocks = _mocks(SSM, privateDnsEnabled=True, routeTableIds=[])
    assert _look_up(SSM, mocks, TABLES).id == "vpce-0existing"


def test_an_interface_endpoint_with_private_dns_off_is_refused_with_the_command_to_turn_it_on():
    mocks = _mocks(SSM, privateDnsEnabled=False)
    assert _refusal(SSM, mocks) == (
        "The existing 'ssm' endpoint vpce-0existing has private DNS off, so the AWS SDKs on the "
        "instance would not use it. Turn it on (aws ec2 modify-vpc-endpoint --vpc-endpoint-id "
        "vpce-0existing --private-dns-enabled) or create one here."
    )


def test_no_endpoint_is_refused_with_the_fix():
    assert _refusal(SSM, AwsMocks()) == (
        f"existing_services names 'ssm', but {OWN_VPC} has no available Interface endpoint for "
        "com.amazonaws.eu-west-1.ssm. Remove it from existing_services to create one here."
    )


def test_several_endpoints_are_refused_as_ambiguous(monkeypatch):
    mocks = AwsMocks()

    def several(request):
        raise ProviderError("multiple EC2 VPC Endpoints matched; use additional constraints")

    monkeypatch.setattr(mocks, "_getVpcEndpoint", several)
    assert _refusal(SSM, mocks) == (
        f"existing_services names 'ssm', and {OWN_VPC} has several available Interface "
        "endpoints for com.amazonaws.eu-west-1.ssm; this stack cannot tell which serves the "
        "instance. Keep one of them."
    )


def test_a_lookup_that_fails_for_another_reason_fails_as_it_is(monkeypatch):
    mocks = AwsMocks()

    def denied(request):
        raise ProviderError("reading EC2 VPC Endpoints: UnauthorizedOperation: not authorized")

    monkeypatch.setattr(mocks, "_getVpcEndpoint", denied)
    run = run_program(
        lambda: look_up_existing_endpoint(SSM, OWN_VPC, [], opts=None),
        mocks=mocks,
        capture_error=True,
    )
    assert run.error is not None
    assert "UnauthorizedOperation: not authorized" in str(run.error)
    assert not isinstance(run.error, InputError)


def test_the_lookup_asks_the_provider_it_is_given():
    mocks = _mocks(SSM, privateDnsEnabled=True)

    def program():
        provider = aws.Provider("elsewhere", region="eu-west-1")
        found = look_up_existing_endpoint(
            SSM, OWN_VPC, [], opts=pulumi.InvokeOptions(provider=provider)
        )
        return found.id

    run = run_program(program, mocks=mocks)
    (call,) = [c for c in mocks.calls if c.token == "aws:ec2/getVpcEndpoint:getVpcEndpoint"]
    assert call.provider.startswith(run.named("elsewhere").urn + "::")


def test_each_named_endpoint_is_looked_up_in_order():
    mocks = _mocks(SSM, privateDnsEnabled=True)
    mocks.existing_endpoints[S3.service_name] = {
        "id": "vpce-0s3",
        "vpcId": OWN_VPC,
        "serviceName": S3.service_name,
        "vpcEndpointType": "Gateway",
        "routeTableIds": TABLES,
    }

    def program():
        return [e.id for e in look_up_existing_endpoints(["s3", "ssm"], OWN_VPC, TABLES)]

    assert run_program(program, mocks=mocks).returned == ["vpce-0s3", "vpce-0existing"]


def test_only_an_available_endpoint_of_the_services_type_in_the_vpc_is_asked_for():
    mocks = _mocks(S3, routeTableIds=TABLES)
    _look_up(S3, mocks, TABLES)
    (call,) = [c for c in mocks.calls if c.token == "aws:ec2/getVpcEndpoint:getVpcEndpoint"]
    assert call.args == {
        "vpcId": OWN_VPC,
        "serviceName": "com.amazonaws.eu-west-1.s3",
        "vpcEndpointType": "Gateway",
        "state": "available",
    }
