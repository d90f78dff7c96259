"""Serves the components to Pulumi programs in any language (the Pulumi CLI starts this as
``python <this directory> <engine address>`` after ``pulumi package add``)."""

from pulumi.provider.experimental import component_provider_host

from ec2_instance_role import PACKAGE_NAME, __version__
from ec2_instance_role.package import COMPONENTS

if __name__ == "__main__":
    # The version goes into the schema and the generated SDKs, whose plugin reference then
    # points at tag v<version>; without it the host says 0.0.0, which means the default branch.
    component_provider_host(list(COMPONENTS), name=PACKAGE_NAME, version=__version__)
