"""The local Flink session cluster: JobManager, TaskManagers, Beam job server, Python worker pool.

``build`` resolves the pinned Maven artifacts (``pom.xml``) into the cache, ``config`` renders the
cluster's configuration, ``cluster`` starts, checks and stops the processes, ``supervisor``
restarts TaskManagers that die, ``worker_pool`` is the loopback-only Python SDK worker pool and
``rest`` is a small client of Flink's REST API.
"""
