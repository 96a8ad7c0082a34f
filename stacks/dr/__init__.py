"""Disaster recovery: each cloud's buckets copied to the environment's `dr_region`."""
