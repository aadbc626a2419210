# syntax=docker/dockerfile:1
# gwlint in a container (docs/ci.md, "Container image"):
#   docker build -t gwlint .
#   docker run --rm -v "$PWD:/src" gwlint check
# The first stage builds the wheels of gwlint and its dependencies from this checkout; the second
# installs them with pip's index off, through a mount, so that the image keeps no wheel, no pip
# cache, no source and no build tool. BuildKit (docker's default builder) is needed for the mount.
# The version comes from git tags, and the build context has no .git (.dockerignore): give it
# with --build-arg GWLINT_VERSION=X.Y.Z, or gwlint calls itself pyproject.toml's fallback-version.
ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS build
ARG GWLINT_VERSION=""
WORKDIR /build
COPY . .
RUN if [ -n "$GWLINT_VERSION" ]; then export SETUPTOOLS_SCM_PRETEND_VERSION="$GWLINT_VERSION"; fi \
 && python -m pip wheel --no-cache-dir --disable-pip-version-check --wheel-dir /wheels .

FROM python:${PYTHON_VERSION}-slim
LABEL org.opencontainers.image.title="gwlint" \
      org.opencontainers.image.description="Cross-checks nginx against gunicorn/uWSGI settings before they meet in production." \
      org.opencontainers.image.source="https://github.com/gwlint/gwlint" \
      org.opencontainers.image.documentation="https://github.com/gwlint/gwlint/blob/main/docs/ci.md" \
      org.opencontainers.image.licenses="MIT"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin gwlint
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-cache-dir --disable-pip-version-check --no-index --find-links /wheels gwlint
# a numeric user, so that a runAsNonRoot policy can verify it
USER 10001:10001
WORKDIR /src
ENTRYPOINT ["gwlint"]
CMD ["check"]
