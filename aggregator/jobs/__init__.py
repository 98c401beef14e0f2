"""Jobs: one task contract, run in-process by default or by arq workers on Redis."""

from aggregator.jobs.base import JobBackend, JobContext, PeriodicTask, RetryLater, Task, TaskRegistry

__all__ = ("JobBackend", "JobContext", "PeriodicTask", "RetryLater", "Task", "TaskRegistry")
