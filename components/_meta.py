"""The package's identity: shared by the components' type tokens, the component host that serves
them to other languages, and the pip distribution (pyproject.toml reads the version from here)."""

from typing import Final

PACKAGE_NAME: Final = "ec2-instance-role"
"""The Pulumi package name: the first part of every type token
(``ec2-instance-role:index:InstanceRole``) and the name ``pulumi package add`` records. Changing it
changes every URN, so it never changes."""

__version__ = "0.1.0"
"""The release: tag ``v<version>`` and a CHANGELOG.md entry go with it. The component host puts
it in the schema, and ``pulumi package add ...@v<version>`` fetches that tag."""
