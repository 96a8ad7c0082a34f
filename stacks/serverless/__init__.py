"""Endpoints in the `serverless` mode, one module per cloud; each stack module calls its cloud's
`declare_serverless_endpoints` after its real-time endpoints."""
