"""Where queries run: jobs and replies, the worker pool, the task table, the backends."""
