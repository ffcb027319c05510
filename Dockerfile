# The chibo bot in a container: `docker build -t chibo-bot .` (docs/DEPLOY.md).
# Settings come from the environment (`--env-file`, compose's env_file), never a .env inside
# the image (.dockerignore keeps it out). SQLite lives on the /data volume; for PostgreSQL
# see deploy/docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib

# A system account (uid 10001) without a shell or a home: /data is the only place it writes.
RUN groupadd --system --gid 10001 chibo \
    && useradd --system --uid 10001 --gid chibo --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin chibo \
    && mkdir /data \
    && chown chibo:chibo /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY channels ./channels
COPY core ./core
COPY db ./db
COPY handlers ./handlers
COPY jobs ./jobs
COPY emulator ./emulator
COPY data/forms ./data/forms

# The package's runtime dependencies only (no dev extras). Installed editable because the
# self-check forms are read from data/forms next to the code (core/forms.py); the check
# after it fails the build if they cannot be read.
RUN pip install --no-cache-dir --editable . \
    && python -c "from core.forms import default_forms; assert default_forms()"

ENV DATABASE_URL=sqlite+aiosqlite:////data/chibo.db \
    WEBHOOK_LISTEN=0.0.0.0 \
    WEBHOOK_PORT=8443
VOLUME ["/data"]
EXPOSE 8443

USER 10001:10001

# With a web server (webhook mode or PUBLIC_BASE_URL) this asks the running bot's /health
# (one SELECT 1); in polling mode it checks the database and its schema. Never the platforms.
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 CMD ["chibo", "doctor", "--quick"]

CMD ["chibo", "run"]
