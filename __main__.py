"""Pulumi entry point: the stack's config decides everything (see stacks/)."""

import stacks

stacks.main()
