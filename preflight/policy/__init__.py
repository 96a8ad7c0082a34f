"""Runs the CrossGuard policy pack over the analyzer protocol, as the Pulumi CLI does."""
