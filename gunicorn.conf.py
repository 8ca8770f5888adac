"""gunicorn's settings for production (read from the working directory by default).

Threads (gthread) so that a dealer's slow upload does not hold a whole process; the
timeout leaves room for a 5 MiB tus part or an 8 MB form upload on a slow line. Every
value can be changed from the environment.
"""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle processes now and then (Pillow and ffmpeg buffers), not all at once.
max_requests = 1000
max_requests_jitter = 100
# The load balancer's address: only its X-Forwarded-* headers are believed.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# The request id (X-Request-ID, set by RequestIdMiddleware) on every access line.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'
