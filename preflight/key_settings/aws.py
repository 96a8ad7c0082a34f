"""Key settings shown in the plan table for AWS resource types."""

KEY_SETTINGS: dict[str, list[tuple[str, str]]] = {
    "aws:eks/cluster:Cluster": [
        ("version", "version"),
        ("private", "vpcConfig.endpointPrivateAccess"),
        ("public", "vpcConfig.endpointPublicAccess"),
    ],
    "aws:eks/nodeGroup:NodeGroup": [
        ("types", "instanceTypes"),
        ("capacity", "capacityType"),
        ("min", "scalingConfig.minSize"),
        ("max", "scalingConfig.maxSize"),
        ("desired", "scalingConfig.desiredSize"),
    ],
    "aws:ec2/natGateway:NatGateway": [("connectivity", "connectivityType")],
    "aws:ec2/vpc:Vpc": [("cidr", "cidrBlock")],
    "aws:ec2/subnet:Subnet": [("cidr", "cidrBlock"), ("zone", "availabilityZone")],
    "aws:s3/bucket:Bucket": [("bucket", "bucket"), ("force_destroy", "forceDestroy")],
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": [
        ("type", "productionVariants.0.instanceType"),
        ("initial", "productionVariants.0.initialInstanceCount"),
    ],
    "aws:appautoscaling/target:Target": [("min", "minCapacity"), ("max", "maxCapacity")],
    "aws:budgets/budget:Budget": [("limit", "limitAmount"), ("unit", "limitUnit")],
}
