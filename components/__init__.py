"""Reusable ComponentResources, one package per cloud and one file per component.

Components may use `catalog`; they never read stack config (stacks pass typed args)."""
