# Couplet: a slim image that runs the bot in polling mode.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite:////data/couplet.db

WORKDIR /app
RUN useradd --create-home --uid 10001 couplet \
    && mkdir -p /data && chown couplet:couplet /data

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY prompts ./prompts
COPY scheduler ./scheduler
COPY fakebot ./fakebot
RUN pip install .

USER couplet
VOLUME ["/data"]
CMD ["python", "-m", "bot"]
