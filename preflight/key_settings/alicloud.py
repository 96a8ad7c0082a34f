"""Key settings shown in the plan table for Alibaba Cloud resource types."""

KEY_SETTINGS: dict[str, list[tuple[str, str]]] = {
    "alicloud:vpc/network:Network": [("cidr", "cidrBlock")],
    "alicloud:vpc/switch:Switch": [("cidr", "cidrBlock"), ("zone", "zoneId")],
    "alicloud:vpc/natGateway:NatGateway": [("type", "natType"), ("availability", "availabilityMode")],
    "alicloud:ecs/eipAddress:EipAddress": [("bandwidth", "bandwidth"), ("charge", "internetChargeType")],
    "alicloud:ecs/securityGroupRule:SecurityGroupRule": [
        ("type", "type"),
        ("protocol", "ipProtocol"),
        ("ports", "portRange"),
        ("cidr", "cidrIp"),
    ],
    "alicloud:cs/managedKubernetes:ManagedKubernetes": [
        ("spec", "clusterSpec"),
        ("version", "version"),
        ("public_api", "slbInternetEnabled"),
        ("rrsa", "enableRrsa"),
        ("deletion_protection", "deletionProtection"),
    ],
    "alicloud:cs/nodePool:NodePool": [
        ("types", "instanceTypes"),
        ("spot", "spotStrategy"),
        ("price_limit", "spotPriceLimits.0.priceLimit"),
        ("min", "scalingConfig.minSize"),
        ("max", "scalingConfig.maxSize"),
        ("desired", "desiredSize"),
    ],
    "alicloud:cs/autoscalingConfig:AutoscalingConfig": [("from_zero", "scaleUpFromZero")],
    "alicloud:oss/bucket:Bucket": [("bucket", "bucket"), ("force_destroy", "forceDestroy")],
    "alicloud:oss/bucketAcl:BucketAcl": [("acl", "acl")],
    "alicloud:oss/bucketServerSideEncryption:BucketServerSideEncryption": [("sse", "sseAlgorithm")],
    "alicloud:ram/role:Role": [("role", "roleName")],
    "alicloud:ram/policy:Policy": [("policy", "policyName")],
    "ai-infra:alicloud:Budget": [("monthly_usd", "monthlyUsd"), ("provider_budget", "providerSupport")],
}
