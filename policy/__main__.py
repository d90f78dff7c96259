"""Entry point of the policy pack: `pulumi preview --policy-pack policy`.

Building the PolicyPack starts the analyzer's gRPC server and blocks, so nothing else imports
this file; the rules live in policy/rules.py.
"""

import sys
from pathlib import Path

# The pack runs from this folder; the lint it shares with the components lives one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policy.rules import POLICIES

PolicyPack(
    name="ec2-instance-role-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=POLICIES,
)
