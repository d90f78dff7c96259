"""The network pieces: which endpoints an instance needs, the endpoints themselves, the record of
a subnet the stack does not manage, and the guard that keeps the role's credentials in its VPC."""

from .endpoints import (
    EndpointService,
    ExistingEndpoint,
    VpcEndpoints,
    VpcEndpointsArgs,
    check_no_conflicting_endpoint,
    check_vpc_endpoints_args,
    look_up_endpoint_service,
    look_up_existing_endpoints,
)
from .existing import ExistingNetwork, NetworkFacts, look_up_network
from .perimeter import GUARD_POLICY_NAME, credential_network_guard
from .services import (
    GATEWAY_ENDPOINTS,
    MANAGED_POLICY_SERVICES,
    SESSION_MANAGER_ENDPOINTS,
    ServiceNeeds,
    endpoint_for_prefix,
    endpoint_type,
    endpoints_for_prefix,
    needed_endpoints,
    needed_endpoints_for_role,
)

__all__ = [
    "GATEWAY_ENDPOINTS",
    "GUARD_POLICY_NAME",
    "MANAGED_POLICY_SERVICES",
    "SESSION_MANAGER_ENDPOINTS",
    "EndpointService",
    "ExistingEndpoint",
    "ExistingNetwork",
    "NetworkFacts",
    "ServiceNeeds",
    "VpcEndpoints",
    "VpcEndpointsArgs",
    "check_no_conflicting_endpoint",
    "check_vpc_endpoints_args",
    "credential_network_guard",
    "endpoint_for_prefix",
    "endpoint_type",
    "endpoints_for_prefix",
    "look_up_endpoint_service",
    "look_up_existing_endpoints",
    "look_up_network",
    "needed_endpoints",
    "needed_endpoints_for_role",
]
