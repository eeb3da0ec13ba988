"""Django settings of the django-viewflow peer (bench/peers/viewflow_bench.py): its own apps, its own database
(VIEWFLOW_DATABASE_URL), production-like (DEBUG off, no query log)."""

import os

import dj_database_url

SECRET_KEY = "viewflow-bench-only"
DEBUG = False
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "viewflow",
    "viewflow.workflow",
    "vfbench",
]
DATABASES = {"default": dj_database_url.parse(os.environ["VIEWFLOW_DATABASE_URL"], conn_max_age=600)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "viewflow_urls"
