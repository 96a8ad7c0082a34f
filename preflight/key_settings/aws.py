"""Key settings shown in the plan table for AWS resource types: what a reviewer checks first
(sizes, spot, exposure, encryption, retention)."""

_EBS = "blockDeviceMappings.0.ebs"
_TARGET_TRACKING = "targetTrackingScalingPolicyConfiguration"

KEY_SETTINGS: dict[str, list[tuple[str, str]]] = {
    # network
    "aws:ec2/vpc:Vpc": [("cidr", "cidrBlock")],
    "aws:ec2/subnet:Subnet": [
        ("cidr", "cidrBlock"),
        ("zone", "availabilityZone"),
        ("public_ip", "mapPublicIpOnLaunch"),
    ],
    "aws:ec2/natGateway:NatGateway": [("connectivity", "connectivityType")],
    "aws:ec2/route:Route": [("to", "destinationCidrBlock")],
    "aws:ec2/flowLog:FlowLog": [("traffic", "trafficType"), ("destination", "logDestinationType")],
    "aws:ec2/vpcEndpoint:VpcEndpoint": [("service", "serviceName"), ("type", "vpcEndpointType")],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": [
        ("protocol", "ipProtocol"),
        ("port", "fromPort"),
        ("to", "cidrIpv4"),
    ],
    "aws:cloudwatch/logGroup:LogGroup": [("retention_days", "retentionInDays")],
    # cluster and pools
    "aws:eks/cluster:Cluster": [
        ("version", "version"),
        ("private", "vpcConfig.endpointPrivateAccess"),
        ("public", "vpcConfig.endpointPublicAccess"),
        ("public_cidrs", "vpcConfig.publicAccessCidrs"),
        ("auth", "accessConfig.authenticationMode"),
        ("logs", "enabledClusterLogTypes"),
        ("support", "upgradePolicy.supportType"),
        ("deletion_protection", "deletionProtection"),
    ],
    "aws:eks/nodeGroup:NodeGroup": [
        ("types", "instanceTypes"),
        ("capacity", "capacityType"),
        ("ami", "amiType"),
        ("min", "scalingConfig.minSize"),
        ("max", "scalingConfig.maxSize"),
        ("desired", "scalingConfig.desiredSize"),
    ],
    "aws:ec2/launchTemplate:LaunchTemplate": [
        ("imds", "metadataOptions.httpTokens"),
        ("hop_limit", "metadataOptions.httpPutResponseHopLimit"),
        ("disk", f"{_EBS}.volumeType"),
        ("disk_gib", f"{_EBS}.volumeSize"),
        ("encrypted", f"{_EBS}.encrypted"),
        ("interface", "networkInterfaces.0.interfaceType"),
        ("placement", "placement.groupName"),
    ],
    "aws:ec2/placementGroup:PlacementGroup": [("strategy", "strategy")],
    "aws:autoscaling/tag:Tag": [("tag", "tag.key"), ("value", "tag.value")],
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": [
        ("namespace", "namespace"),
        ("service_account", "serviceAccount"),
    ],
    "aws:eks/addon:Addon": [("addon", "addonName")],
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": [("audiences", "clientIdLists")],
    "aws:kms/key:Key": [("rotation", "enableKeyRotation")],
    # storage
    "aws:s3/bucket:Bucket": [("bucket", "bucket"), ("force_destroy", "forceDestroy")],
    # endpoints
    "aws:sagemaker/model:Model": [
        ("network_isolation", "enableNetworkIsolation"),
        ("model", "primaryContainer.modelDataUrl"),
    ],
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": [
        ("type", "productionVariants.0.instanceType"),
        ("initial", "productionVariants.0.initialInstanceCount"),
        ("capture", "dataCaptureConfig.enableCapture"),
    ],
    "aws:sagemaker/endpoint:Endpoint": [("name", "name")],
    "aws:appautoscaling/target:Target": [("min", "minCapacity"), ("max", "maxCapacity")],
    "aws:appautoscaling/policy:Policy": [
        ("metric", f"{_TARGET_TRACKING}.predefinedMetricSpecification.predefinedMetricType"),
        ("target", f"{_TARGET_TRACKING}.targetValue"),
    ],
    # cost
    "aws:budgets/budget:Budget": [("limit", "limitAmount"), ("unit", "limitUnit"), ("filter", "costFilters.0.values")],
}
