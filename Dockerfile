# The gateway image: `docker compose up` runs it beside PostgreSQL and Redis.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY trunkline ./trunkline
RUN pip install . && useradd --system --home /app trunkline && mkdir -p /app/var \
    && chown trunkline /app/var
USER trunkline

EXPOSE 8000
# Migrate, then serve; `trunkline migrate` is a no-op when nothing is pending.
CMD ["sh", "-c", "trunkline migrate && trunkline serve --host 0.0.0.0 --port 8000"]
