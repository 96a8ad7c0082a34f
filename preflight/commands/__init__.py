"""preflight subcommands, one module each. A module exposes `NAME`, `HELP` and
`register(subparsers)`, which adds its parser and sets `handler`."""
