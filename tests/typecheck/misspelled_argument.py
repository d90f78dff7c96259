"""Must FAIL the type check: proves pyright really checks calls into pulumi_aws.

`make typecheck` runs pyright on this file and fails if pyright accepts it, so a broken type
check (pulumi_aws not found, a config that skips calls) cannot pass silently.
"""

import pulumi_aws as aws

aws.ec2.Instance("canary", ami="ami-0123456789abcdef0", instance_typ="t3.micro")
