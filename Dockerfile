# syntax=docker/dockerfile:1
# aftersales: build a venv in one stage, ship only the venv + sources in a slim one.
# Checked with hadolint (.ci/deploy-lint) and tests/deploy/test_dockerfile.py.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Every dependency comes from pyproject.toml; all of them ship manylinux wheels,
# so no compiler is needed here either.
COPY pyproject.toml README.md ./
COPY service ./service
RUN pip install --no-cache-dir . \
    && python -m compileall -q /opt/venv /src/service

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="aftersales" \
      org.opencontainers.image.description="GraphQL service recommending the next after-sales move"
RUN groupadd --system --gid 10001 aftersales \
    && useradd --system --uid 10001 --gid aftersales --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin aftersales
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
# Alembic's files are found next to the source tree (service/db/migrations.py looks two
# directories above itself), so the tree is shipped too and put first on sys.path.
COPY --from=builder /src/service ./service
COPY alembic.ini ./
COPY alembic ./alembic
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    AFTERSALES_ENV=prod
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=4s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3).status == 200 else 1)"]
# Exec form: the Python process is PID 1 and receives SIGTERM itself. One uvicorn
# worker per container (docs/deployment.md explains why).
ENTRYPOINT ["aftersales"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
