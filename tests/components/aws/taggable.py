"""Which AWS resource types take tags, decided by the installed pulumi_aws SDK itself."""

from __future__ import annotations

import functools
import importlib
import inspect


@functools.cache
def is_taggable(type_token: str) -> bool:
    """True when the pulumi_aws resource class for `type_token` (`aws:ec2/vpc:Vpc`) has a `tags`
    argument. Fails loudly for a token the SDK does not know."""
    package, module_path, class_name = type_token.split(":")
    assert package == "aws", type_token
    module = importlib.import_module(f"pulumi_aws.{module_path.split('/')[0]}")
    args_class = getattr(module, f"{class_name}Args")
    return "tags" in inspect.signature(args_class.__init__).parameters
