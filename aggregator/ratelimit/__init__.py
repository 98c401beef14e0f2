"""Token buckets (GCRA) per key: in memory for one process, in Redis when several processes share limits."""

from aggregator.ratelimit.buckets import Limit, MemoryRateLimiter, RateLimiter, RedisRateLimiter

__all__ = ("Limit", "MemoryRateLimiter", "RateLimiter", "RedisRateLimiter")
