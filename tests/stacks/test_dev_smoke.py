"""The dev stack's program runs under mocks (a fuller check lives in per-cloud stack tests)."""


def test_dev_stack_declares_hardened_buckets(stack_run):
    run = stack_run("dev")
    buckets = run.of_type("aws:s3/bucket:Bucket")
    assert buckets, "dev declares S3 buckets"
    blocks = run.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert len(blocks) == len(buckets)
