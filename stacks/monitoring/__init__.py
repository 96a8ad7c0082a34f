"""Per cloud, the monitoring of an environment: the notification route, endpoint alarms, GPU
telemetry and idle alerts per cluster, and the dashboard (one module per cloud)."""
