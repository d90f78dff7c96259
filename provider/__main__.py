"""Serves the components to Pulumi programs in any language (the Pulumi CLI starts this as
``python <this directory> <engine address>`` after ``pulumi package add``)."""

from ec2_instance_role.package import serve

if __name__ == "__main__":
    # The version (ec2_instance_role.__version__) goes into the schema and the generated SDKs,
    # whose plugin reference then points at tag v<version>.
    serve()
