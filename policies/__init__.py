"""The CrossGuard policy pack (security and cost rules). Imports `catalog` only: a pack must judge
any program, so it never imports components, stacks or preflight."""
