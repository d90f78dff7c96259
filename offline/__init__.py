"""Offline rendering of a stack: the stack program under Pulumi's mock runtime, with mocks that
behave like the engine and the AWS provider where it matters. Used by the tests and by
`make review`."""
