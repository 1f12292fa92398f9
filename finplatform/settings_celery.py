"""Settings for Redis, Celery and the outbox, read from the environment; star-imported by
finplatform/settings.py (kept apart so that module stays readable)."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from finplatform import queues
from finplatform.env import django_env, env_bool

ENV = django_env()  # the same answer settings.py has, from the one place that decides it

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
# The cache lives in its own Redis database so clearing it never touches
# the Celery queues.
CACHE_REDIS_URL = os.environ.get(
    "CACHE_REDIS_URL", urlparse(REDIS_URL)._replace(path="/1").geturl()
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_REDIS_URL,
        "KEY_PREFIX": "finplatform",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Almaty"  # the business zone, as TIME_ZONE
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task running when the broker connection drops cannot be acknowledged any more and will be
# redelivered (acks_late): cancel it rather than let two copies run (Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_RESULT_EXPIRES = 3600
# Queues by kind of work, routed by task name (finplatform/queues.py).
CELERY_TASK_DEFAULT_QUEUE = queues.DEFAULT_QUEUE
CELERY_TASK_ROUTES = queues.TASK_ROUTES
# Beat's state in the database (django-celery-beat): the schedule of finplatform/celery.py is
# written to its tables at beat start; a daily run missed while beat was down fires once at
# start and covers every missed business date, up to this many (finplatform/dailyruns.py).
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DAILY_CATCH_UP_MAX_DAYS = int(os.environ.get("DAILY_CATCH_UP_MAX_DAYS", "31"))
# A publish while Redis is down fails within a fraction of a second instead of retrying for
# seconds inside a web request; the outbox relay publishes it once the broker is back.
# visibility_timeout: a message taken by a worker that died unacknowledged (acks_late) goes
# back to the queue after this long; keep it above the longest countdown a task retries with.
# Workers look for such messages every ~100 s (kombu's default), more often with a short
# timeout (the fault-injection tests use 10 s).
_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT_SECONDS", "7200"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5,
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    "unacked_restore_interval": min(10, max(1, _VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 10 if _VISIBILITY_TIMEOUT >= 600 else 1,
}  # fmt: skip
# A worker killed outright: on start a worker asks for the stuck-case recovery at once (off
# in the shared test suite, whose worker starts before each test's data); the periodic sweep
# re-enqueues document packages unissued for this long (resolution/services/recovery.py).
RECOVER_STUCK_ON_WORKER_START = env_bool("RECOVER_STUCK_ON_WORKER_START", ENV != "test")
DOCUMENTS_STUCK_AFTER_SECONDS = int(os.environ.get("DOCUMENTS_STUCK_AFTER_SECONDS", "120"))
# Transactional outbox (outbox/services.py): the relay publishes what the after-commit fast
# path missed once it is this old; dispatched rows are kept this many days for inspection.
OUTBOX_RELAY_AFTER_SECONDS = int(os.environ.get("OUTBOX_RELAY_AFTER_SECONDS", "15"))
OUTBOX_KEEP_DAYS = int(os.environ.get("OUTBOX_KEEP_DAYS", "7"))
