"""Which Azure resource types take tags, decided by the installed pulumi_azure_native SDK."""

from __future__ import annotations

import functools
import importlib
import inspect

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "11111111-1111-1111-1111-111111111111"
TAGS = {"environment": "test", "owner": "ml", "cost-center": "cc-1"}


@functools.cache
def is_taggable(type_token: str) -> bool:
    """True when the azure-native resource class for `type_token`
    (`azure-native:network:VirtualNetwork`) has a top-level `tags` argument."""
    package, module_name, class_name = type_token.split(":")
    assert package == "azure-native", type_token
    module = importlib.import_module(f"pulumi_azure_native.{module_name}")
    args_class = getattr(module, f"{class_name}Args")
    return "tags" in inspect.signature(args_class.__init__).parameters


def scope_is_narrow(scope: str) -> bool:
    """A role assignment scope below a resource group (a resource or sub-resource), never a
    subscription, management group or whole resource group."""
    parts = scope.strip("/").split("/")
    return len(parts) >= 8 and parts[0] == "subscriptions" and parts[2] == "resourceGroups" and parts[4] == "providers"
