"""Prices a plan from the catalog (monthly floor and ceiling per resource)."""
