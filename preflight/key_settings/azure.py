"""Key settings shown in the plan table for azure resource types."""

KEY_SETTINGS: dict[str, list[tuple[str, str]]] = {}
