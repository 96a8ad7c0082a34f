"""preflight: review a Pulumi stack offline (plan, policy, cost, diff) without CLI or cloud."""
