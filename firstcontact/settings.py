"""Django settings, read from the environment with safe defaults.

FIRSTCONTACT_ENV=production switches to production settings, which need
SECRET_KEY and ALLOWED_HOSTS in the environment and refuse to start without them.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from firstcontact.delivery.conf import read_delivery_settings
from firstcontact.env import read_bool, read_int, read_list, read_str, require_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(read_str("FIRSTCONTACT_DATA_DIR", str(Path.cwd() / "var")))

ENVIRONMENT = read_str("FIRSTCONTACT_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

if PRODUCTION:
    SECRET_KEY = require_str("SECRET_KEY")
    ALLOWED_HOSTS = read_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        # Also for a value of only commas and spaces, which names no host.
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is missing; production settings need it in the environment."
        )
    DEBUG = False
else:
    # A development key: production settings never fall back to it.
    SECRET_KEY = read_str("SECRET_KEY", "development-only-key-not-for-production")
    ALLOWED_HOSTS = read_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
    DEBUG = read_bool("DEBUG", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "firstcontact.directory",
    "firstcontact.accounts",
    "firstcontact.audit",
    "firstcontact.people",
    "firstcontact.checklists",
    "firstcontact.referrals",
    "firstcontact.consent",
    "firstcontact.rights",
    "firstcontact.funding",
    "firstcontact.reports",
    "firstcontact.delivery",
    "firstcontact.demo",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "firstcontact.accounts.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any middleware that may respond before the view, so that every
    # audit event of the request knows its route.
    "firstcontact.audit.context.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "firstcontact.accounts.middleware.NoStoreMiddleware",
    # Both check signed-in users before each view; see accounts/middleware.py.
    "firstcontact.accounts.middleware.SessionTimeoutMiddleware",
    "firstcontact.accounts.middleware.TwoFactorRequiredMiddleware",
    "firstcontact.delivery.idempotency.IdempotencyKeyMiddleware",
]

ROOT_URLCONF = "firstcontact.urls"
WSGI_APPLICATION = "firstcontact.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        read_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'firstcontact.sqlite3'}"),
        conn_max_age=read_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers work while the hub writes; IMMEDIATE transactions take
    # the write lock at BEGIN, so two writers queue instead of failing midway.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_VALIDATION = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{PASSWORD_VALIDATION}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{PASSWORD_VALIDATION}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": f"{PASSWORD_VALIDATION}.CommonPasswordValidator"},
    {"NAME": f"{PASSWORD_VALIDATION}.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
if not PRODUCTION:
    # Serve files straight from the finders, so a development server and the
    # tests need no collectstatic run.
    WHITENOISE_USE_FINDERS = True
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Built by scripts/build-frontend; the project package is not an installed app,
# so the app directories finder would not look here.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Sessions: database rows that carry their user, so deactivation can end them.
SESSION_ENGINE = "firstcontact.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
FIRSTCONTACT_SESSION_IDLE_TIMEOUT = read_int("SESSION_IDLE_MINUTES", 30) * 60
FIRSTCONTACT_SESSION_ABSOLUTE_TIMEOUT = read_int("SESSION_MAX_HOURS", 10) * 60 * 60
SESSION_COOKIE_AGE = FIRSTCONTACT_SESSION_ABSOLUTE_TIMEOUT

# Sign-in lockout (firstcontact.accounts.lockout): failures per username and per
# client address within the window, in seconds.
FIRSTCONTACT_LOCKOUT_ATTEMPTS = read_int("LOCKOUT_ATTEMPTS", 5)
FIRSTCONTACT_LOCKOUT_ADDRESS_ATTEMPTS = read_int("LOCKOUT_ADDRESS_ATTEMPTS", 30)
FIRSTCONTACT_API_FAILURE_LIMIT = read_int("API_FAILURE_LIMIT", 30)
FIRSTCONTACT_LOCKOUT_WINDOW = read_int("LOCKOUT_MINUTES", 15) * 60
# Reverse proxies in front of the server that append to X-Forwarded-For; the
# production settings expect one, which also sets X-Forwarded-Proto.
FIRSTCONTACT_TRUSTED_PROXIES = read_int("TRUSTED_PROXIES", 1 if PRODUCTION else 0)

# Two-factor authentication (django-otp): the name authenticator apps show.
OTP_TOTP_ISSUER = read_str("OTP_TOTP_ISSUER", "First Contact")

CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts come only from this site's static files: no inline script runs.
# NOTE: style-src allows inline styles because the report pages and their SVG
# charts still use style attributes and <style> elements.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
FIRSTCONTACT_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = read_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = read_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = read_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The scheme that the web pages and the API serve; load_scheme creates it.
FIRSTCONTACT_SCHEME = read_str("FIRSTCONTACT_SCHEME", "leicestershire")

# Referrals per page on lists and in the API.
FIRSTCONTACT_PAGE_SIZE = read_int("FIRSTCONTACT_PAGE_SIZE", 50)

# Retention (firstcontact.rights.retention): people whose referrals are all
# closed and whose records have not changed for this many years are erased.
# Set it to the period in the scheme's information sharing agreement.
FIRSTCONTACT_RETENTION_YEARS = read_int("RETENTION_YEARS", 6)
# Local hour (Europe/London) from which the worker applies it, once a day.
FIRSTCONTACT_RETENTION_HOUR = read_int("RETENTION_HOUR", 2)

# Email goes out over SMTP once EMAIL_HOST is set (always in production);
# otherwise each message is written to a file under DATA_DIR/mail, so a clean
# clone sends nothing. The EMAIL_* variables fill Django 6.1's MAILERS setting,
# which replaces the EMAIL_* settings.
DEFAULT_FROM_EMAIL = read_str(
    "DEFAULT_FROM_EMAIL", "First Contact <noreply@example.org>"
)
if read_str("EMAIL_HOST") or PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": read_str("EMAIL_HOST", "localhost"),
                "port": read_int("EMAIL_PORT", 25),
                "username": read_str("EMAIL_HOST_USER"),
                "password": read_str("EMAIL_HOST_PASSWORD"),
                "use_tls": read_bool("EMAIL_USE_TLS", False),
                "timeout": read_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
        }
    }

# Background work: tasks are rows in the database, run by `firstcontact worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Referral delivery: retries, leases and schedules (firstcontact.delivery.conf).
FIRSTCONTACT_BASE_URL = read_str("FIRSTCONTACT_BASE_URL", "http://127.0.0.1:8000")
FIRSTCONTACT_DELIVERY = read_delivery_settings()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": read_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs each step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
