"""Per cloud, `clouds.<cloud>.file_systems` as that cloud's `FileSystem` components, mounted into
the cluster through its CSI driver (one module per cloud, called from `stacks/<cloud>.py`)."""
