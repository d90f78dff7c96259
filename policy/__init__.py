"""The project's Pulumi policy pack (CrossGuard): guardrails for every resource in a stack."""
