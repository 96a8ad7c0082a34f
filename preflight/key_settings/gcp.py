"""Key settings shown in the plan table for gcp resource types."""

KEY_SETTINGS: dict[str, list[tuple[str, str]]] = {}
