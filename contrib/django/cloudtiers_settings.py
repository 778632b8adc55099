"""Django settings from the environment cloudtiers gives every Django process.

Copy this file into your project (it has no dependency beyond the standard library and
Django) and import it at the end of your settings module::

    from .cloudtiers_settings import *  # noqa: F401,F403

``npm run settings -- <stack>`` lists the variables a stack sets and where each value
comes from. This module reads them and defines, for each group whose main variable is
set (a process started without them, e.g. ``manage.py`` on a laptop, keeps the
project's own settings):

* ``DATABASE_URL`` (+ ``DATABASE_PASSWORD``, ``DATABASE_REPLICA_URLS``): ``DATABASES``
  with ``default`` for writes and ``replica-1``, ``replica-2``, ... for reads, and
  ``DATABASE_ROUTERS`` sending reads to a random replica and writes to ``default``.
  A read right after a write may not see it yet on a replica (replication lag): read
  such rows with ``.using("default")``. Tests mirror the replicas to ``default``.
* ``REDIS_URL`` (+ ``REDIS_PASSWORD``): ``CACHES`` (Django's own Redis backend, Django
  4.0+ with redis-py; ``rediss://`` means TLS, the server certificate checked), sessions
  in that cache, and the Celery broker and result backend
  (``CELERY_BROKER_URL``, ``CELERY_RESULT_BACKEND``, for
  ``app.config_from_object("django.conf:settings", namespace="CELERY")``). Celery uses
  the next database number: ``cache.clear()`` empties the cache's database (FLUSHDB) and
  must not drop queued tasks. Clearing the cache logs every user out.
* ``CELERY_BROKER_URL`` (+ ``CELERY_SQS_REGION``, ``CELERY_SQS_QUEUE_URL``): a broker of
  its own (``broker.engine: "sqs"``):
  ``sqs://``, and ``CELERY_BROKER_TRANSPORT_OPTIONS`` naming the region and the queue by
  its URL, so Celery never lists or creates queues (credentials from the instance role).
  It replaces the cache as the broker; the results stay in the cache; workers fetch one
  task at a time. The image needs ``celery[sqs]``.
* ``RABBITMQ_URL`` (+ ``RABBITMQ_USER``, ``RABBITMQ_PASSWORD``): RabbitMQ as the broker
  (``broker.engine: "rabbitmq"``), ``amqps://<host>:5671``: ``CELERY_BROKER_URL``
  with the user and the password in it, and ``CELERY_BROKER_USE_SSL`` checking the server's certificate
  and name. It replaces the cache as the broker; the results stay in the cache.
* ``MEDIA_BUCKET`` / ``STATIC_BUCKET``: ``STORAGES`` (Django 4.2+, which refuses it
  beside the older ``DEFAULT_FILE_STORAGE``/``STATICFILES_STORAGE``: drop those) on
  django-storages' S3 backend (``storages.backends.s3.S3Storage``, django-storages
  1.14+; S3 or DigitalOcean Spaces through ``STORAGE_ENDPOINT_URL`` and
  ``STORAGE_REGION``), URLs on the CDN domains, ``MEDIA_URL`` and ``STATIC_URL``. Keys
  only where the stack gives them (``MEDIA_ACCESS_KEY_ID``/``MEDIA_SECRET_ACCESS_KEY``,
  ``STATIC_...``: DigitalOcean); otherwise boto3 finds the instance role (AWS). An ACL
  is sent only when ``STORAGE_DEFAULT_ACL`` is not ``private`` (AWS buckets refuse ACLs;
  Spaces needs ``public-read`` for its CDN). Uploads never overwrite one another.
* ``DJANGO_SECRET_KEY``: ``SECRET_KEY``. It is one of the application's own secrets,
  declared in the environment's ``application.secrets`` (``{ source: "generated" }``
  gives a 50-character key that stays the same across deploys).
* ``DJANGO_ALLOWED_HOSTS``: ``ALLOWED_HOSTS`` (hosts append their own IPs for health
  checks).
* ``SITE_URL``: ``CSRF_TRUSTED_ORIGINS`` and, for ``https://``, the load balancer's
  ``X-Forwarded-Proto`` trusted (``SECURE_PROXY_SSL_HEADER``) and secure cookies.

A group with its main variable but not a companion it needs (``DATABASE_URL`` without
``DATABASE_PASSWORD``, a key id without its secret) raises ``ImproperlyConfigured``
naming the variable. Backends are named by dotted path, so importing this module needs
only Django; psycopg, redis-py, django-storages and boto3 load when first used.
"""
import os
import random
import ssl
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

#: Every variable this module reads (``DJANGO_SETTINGS_MODULE`` is Django's own).
VARIABLES = (
    "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "SITE_URL",
    "DATABASE_URL", "DATABASE_PASSWORD", "DATABASE_REPLICA_URLS",
    "REDIS_URL", "REDIS_PASSWORD",
    "CELERY_BROKER_URL", "CELERY_SQS_REGION", "CELERY_SQS_QUEUE_URL", "RABBITMQ_URL", "RABBITMQ_USER", "RABBITMQ_PASSWORD",
    "STORAGE_REGION", "STORAGE_ENDPOINT_URL", "STORAGE_DEFAULT_ACL",
    "MEDIA_BUCKET", "MEDIA_CDN_DOMAIN", "MEDIA_ACCESS_KEY_ID", "MEDIA_SECRET_ACCESS_KEY",
    "STATIC_BUCKET", "STATIC_CDN_DOMAIN", "STATIC_ACCESS_KEY_ID", "STATIC_SECRET_ACCESS_KEY",
)

POSTGRES_ENGINE = "django.db.backends.postgresql"
REDIS_CACHE_BACKEND = "django.core.cache.backends.redis.RedisCache"
S3_STORAGE_BACKEND = "storages.backends.s3.S3Storage"


def _env(name):
    """The variable's value, or None when it is unset or empty."""
    return os.environ.get(name) or None


def _required(name, because):
    value = _env(name)
    if value is None:
        raise ImproperlyConfigured(f"{name} is not set, but {because} is")
    return value


def _list(value):
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def database(url, password):
    """One ``DATABASES`` entry from ``postgres://user@host:port/name?option=value``."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"database URL {url!r} is not postgres://")
    name = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not name:
        raise ImproperlyConfigured(f"database URL {url!r} needs a host and a database name")
    return {
        "ENGINE": POSTGRES_ENGINE,
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": password,
        "HOST": parts.hostname,
        "PORT": str(parts.port or 5432),
        # libpq's connection parameters, e.g. sslmode=require.
        "OPTIONS": dict(parse_qsl(parts.query)),
    }


class ReplicaRouter:
    """Reads from a random replica, writes to ``default``; replicas hold the same rows."""

    def __init__(self):
        from django.conf import settings

        self.replicas = [alias for alias in settings.DATABASES if alias.startswith("replica-")]

    def db_for_read(self, model, **hints):
        return random.choice(self.replicas) if self.replicas else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def with_database(url, number):
    """``url`` on another Redis database number: ``rediss://h:6379/0`` -> ``rediss://h:6379/1``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{number}", parts.query, parts.fragment))


def redis_database(url):
    parts = urlsplit(url)
    path = parts.path.lstrip("/")
    return int(path) if path else 0


def celery_url(url, password):
    """A broker URL for Celery: the password in it, and for Redis over TLS the certificate check Celery asks to be explicit."""
    parts = urlsplit(url)
    user, _, address = parts.netloc.rpartition("@")
    username = user.partition(":")[0]
    netloc = f"{username}:{quote(password, safe='')}@{address}" if password else parts.netloc
    query = parts.query
    if parts.scheme == "rediss" and "ssl_cert_reqs" not in dict(parse_qsl(query)):
        query = f"{query}&ssl_cert_reqs=required" if query else "ssl_cert_reqs=required"
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def storage(prefix, overwrite):
    """The ``STORAGES`` entry of the MEDIA or STATIC bucket."""
    options = {
        "bucket_name": _env(f"{prefix}_BUCKET"),
        "region_name": _env("STORAGE_REGION"),
        "endpoint_url": _env("STORAGE_ENDPOINT_URL"),
        "custom_domain": _env(f"{prefix}_CDN_DOMAIN"),
        "file_overwrite": overwrite,
        # The CDN serves objects; its URLs need no signature.
        "querystring_auth": False,
    }
    acl = _env("STORAGE_DEFAULT_ACL")
    if acl and acl != "private":
        options["default_acl"] = acl
    key_id = _env(f"{prefix}_ACCESS_KEY_ID")
    if key_id:
        options["access_key"] = key_id
        options["secret_key"] = _required(f"{prefix}_SECRET_ACCESS_KEY", f"{prefix}_ACCESS_KEY_ID")
    return {"BACKEND": S3_STORAGE_BACKEND, "OPTIONS": {k: v for k, v in options.items() if v is not None}}


__all__ = ["VARIABLES"]

if _env("DJANGO_SECRET_KEY"):
    SECRET_KEY = _env("DJANGO_SECRET_KEY")
    __all__ += ["SECRET_KEY"]

if _env("DJANGO_ALLOWED_HOSTS"):
    ALLOWED_HOSTS = _list(_env("DJANGO_ALLOWED_HOSTS"))
    __all__ += ["ALLOWED_HOSTS"]

if _env("SITE_URL"):
    _site = urlsplit(_env("SITE_URL"))
    CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]
    __all__ += ["CSRF_TRUSTED_ORIGINS"]
    if _site.scheme == "https":
        # Only the load balancer (through nginx) reaches the app; it sets the header.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        SESSION_COOKIE_SECURE = True
        CSRF_COOKIE_SECURE = True
        __all__ += ["SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"]

if _env("DATABASE_URL"):
    _password = _required("DATABASE_PASSWORD", "DATABASE_URL")
    # DATABASE_URL names the pooler where the stack has one (PgBouncer in transaction mode,
    # RDS Proxy): a server-side cursor outlives the transaction PgBouncer lends a
    # connection for, and pins an RDS Proxy connection. Without a pooler the setting only
    # makes QuerySet.iterator() fetch on the client.
    DATABASES = {"default": {**database(_env("DATABASE_URL"), _password), "DISABLE_SERVER_SIDE_CURSORS": True}}
    for _i, _url in enumerate(_list(_env("DATABASE_REPLICA_URLS")), start=1):
        DATABASES[f"replica-{_i}"] = {**database(_url, _password), "TEST": {"MIRROR": "default"}}
    __all__ += ["DATABASES"]
    if len(DATABASES) > 1:
        DATABASE_ROUTERS = [f"{__name__}.ReplicaRouter"]
        __all__ += ["DATABASE_ROUTERS"]

if _env("REDIS_URL"):
    _redis = _env("REDIS_URL")
    _redis_password = _required("REDIS_PASSWORD", "REDIS_URL")
    if urlsplit(_redis).scheme not in ("redis", "rediss"):
        raise ImproperlyConfigured(f"REDIS_URL {_redis!r} is not redis:// or rediss://")
    CACHES = {"default": {"BACKEND": REDIS_CACHE_BACKEND, "LOCATION": _redis, "OPTIONS": {"password": _redis_password}}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SESSION_CACHE_ALIAS = "default"
    _celery = celery_url(with_database(_redis, redis_database(_redis) + 1), _redis_password)
    CELERY_BROKER_URL = _celery
    CELERY_RESULT_BACKEND = _celery
    __all__ += ["CACHES", "SESSION_ENGINE", "SESSION_CACHE_ALIAS", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"]

if _env("CELERY_BROKER_URL"):
    # A queue of its own (SQS): the tasks go there, their results stay in the cache.
    CELERY_BROKER_URL = _env("CELERY_BROKER_URL")
    if urlsplit(CELERY_BROKER_URL).scheme != "sqs":
        raise ImproperlyConfigured(f"CELERY_BROKER_URL {CELERY_BROKER_URL!r} is not sqs://")
    # The queue by its URL: Celery neither lists nor creates queues (the hosts may not). Its
    # visibility timeout is the queue's own; receives wait up to SQS's 20 s for a task.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "region": _required("CELERY_SQS_REGION", "CELERY_BROKER_URL"),
        "predefined_queues": {"celery": {"url": _required("CELERY_SQS_QUEUE_URL", "CELERY_BROKER_URL")}},
        "wait_time_seconds": 20,
    }
    # One task fetched at a time: a task fetched ahead would sit hidden past its timeout.
    CELERY_WORKER_PREFETCH_MULTIPLIER = 1
    __all__ += ["CELERY_BROKER_URL", "CELERY_BROKER_TRANSPORT_OPTIONS", "CELERY_WORKER_PREFETCH_MULTIPLIER"]

if _env("RABBITMQ_URL"):
    # RabbitMQ over TLS: the tasks go there, their results stay in the cache. Its URL has a
    # name of its own because Celery takes CELERY_BROKER_URL from the environment before any
    # setting, and this URL is completed with the password here, the certificate and the
    # server's name checked against the system's authorities.
    _rabbitmq = _env("RABBITMQ_URL")
    _parts = urlsplit(_rabbitmq)
    if _parts.scheme != "amqps":
        raise ImproperlyConfigured(f"RABBITMQ_URL {_rabbitmq!r} is not amqps://")
    _user = quote(_required("RABBITMQ_USER", "RABBITMQ_URL"), safe="")
    CELERY_BROKER_URL = celery_url(urlunsplit(_parts._replace(netloc=f"{_user}@{_parts.netloc.rpartition('@')[2]}")), _required("RABBITMQ_PASSWORD", "RABBITMQ_URL"))
    CELERY_BROKER_USE_SSL = {"cert_reqs": ssl.CERT_REQUIRED, "server_hostname": _parts.hostname}
    # One task fetched at a time: a message fetched ahead waits unacknowledged behind a long
    # task, and RabbitMQ closes the channel of one held past its consumer_timeout.
    CELERY_WORKER_PREFETCH_MULTIPLIER = 1
    __all__ += ["CELERY_BROKER_URL", "CELERY_BROKER_USE_SSL", "CELERY_WORKER_PREFETCH_MULTIPLIER"]

if _env("MEDIA_BUCKET") or _env("STATIC_BUCKET"):
    _required("MEDIA_BUCKET", "STATIC_BUCKET")
    _required("STATIC_BUCKET", "MEDIA_BUCKET")
    STORAGES = {
        "default": storage("MEDIA", overwrite=False),
        "staticfiles": storage("STATIC", overwrite=True),
    }
    __all__ += ["STORAGES"]
    if _env("MEDIA_CDN_DOMAIN"):
        MEDIA_URL = f"https://{_env('MEDIA_CDN_DOMAIN')}/"
        __all__ += ["MEDIA_URL"]
    if _env("STATIC_CDN_DOMAIN"):
        STATIC_URL = f"https://{_env('STATIC_CDN_DOMAIN')}/"
        __all__ += ["STATIC_URL"]
