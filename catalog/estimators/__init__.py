"""Per-type monthly estimators, one module per cloud; `catalog.costs` is the public entry point."""

from catalog.estimators import alicloud, aws, azure, gcp, monitoring
from catalog.estimators.base import Estimator

ESTIMATORS: dict[str, Estimator] = {
    **aws.ESTIMATORS,
    **gcp.ESTIMATORS,
    **azure.ESTIMATORS,
    **alicloud.ESTIMATORS,
    **monitoring.ESTIMATORS,
}
"""Type token -> estimator, for every type that costs money by the hour or by the GB."""

__all__ = ["ESTIMATORS"]
