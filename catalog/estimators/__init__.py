"""Per-type monthly estimators, one module per cloud; `catalog.costs` is the public entry point."""

from catalog.estimators import alicloud, aws, azure, file_systems, gcp, kubernetes, monitoring
from catalog.estimators.base import Estimator

ESTIMATORS: dict[str, Estimator] = {
    **aws.ESTIMATORS,
    **gcp.ESTIMATORS,
    **azure.ESTIMATORS,
    **alicloud.ESTIMATORS,
    **kubernetes.ESTIMATORS,
    **monitoring.ESTIMATORS,
    **file_systems.ESTIMATORS,
}
"""Type token -> estimator, for every type that costs money by the hour, the month or the GB. A
type that is neither here nor in catalog/data/free_types.yaml is an unknown price."""

__all__ = ["ESTIMATORS"]
