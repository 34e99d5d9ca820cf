# The gateway image: docker-compose.yml runs it as the gateway, its one-shot migration and the
# one-shot that writes the PostgreSQL password.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# The versions the suite ran against (requirements.lock, README "Dependencies"), as constraints:
# only what the package needs is installed, at those versions.
COPY requirements.lock pyproject.toml README.md ./
COPY trunkline ./trunkline
RUN pip install -c requirements.lock . \
    && useradd --system --home /app trunkline \
    && mkdir -p /app/var /app/secrets \
    && chown trunkline /app/var /app/secrets
USER trunkline

EXPOSE 8000
# Exec form: the console script is the process `docker stop` signals (compose adds tini with
# `init: true`), so SIGTERM drains it. Migrations run as their own one-shot (`trunkline migrate`).
CMD ["trunkline", "serve", "--host", "0.0.0.0", "--port", "8000"]
