# chatguard container image.
#   docker build -t chatguard .
#   docker run -p 8080:8080 -v "$PWD/chatguard.yaml:/etc/chatguard/chatguard.yaml:ro" chatguard
# The config must listen on 0.0.0.0 to be reachable from outside the container; the admin listener
# (/healthz, /metrics) stays on 127.0.0.1:9901 where the HEALTHCHECK below reaches it.
ARG PYTHON_VERSION=3.12

# Builder: the project and its dependencies installed into a venv, exactly as `make` does (pip install .).
FROM python:${PYTHON_VERSION}-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/chatguard
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY filters ./filters
COPY config ./config
RUN /opt/chatguard/bin/pip install .

# The sidecar extra (mitmproxy) for `chatguard intercept`:
#   docker build --target sidecar -t chatguard-sidecar .
#   docker run -p 8080:8080 -v "$PWD/chatguard.yaml:/etc/chatguard/chatguard.yaml:ro" \
#     -v "$PWD/ca:/etc/chatguard/ca:ro" chatguard-sidecar      # the app's HTTP(S) proxy on :8080
FROM builder AS sidecar-builder
RUN /opt/chatguard/bin/pip install ".[sidecar]"

FROM python:${PYTHON_VERSION}-slim-bookworm AS sidecar
ENV PATH=/opt/chatguard/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHATGUARD_ADMIN_PORT=9901 \
    CHATGUARD_CACHE_DIR=/var/cache/chatguard
RUN groupadd --system --gid 10001 chatguard \
    && useradd --system --uid 10001 --gid chatguard --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin chatguard \
    && mkdir -p /etc/chatguard /var/lib/chatguard /var/log/chatguard /var/cache/chatguard \
    && chown chatguard:chatguard /var/lib/chatguard /var/log/chatguard /var/cache/chatguard \
    && chmod 0700 /var/cache/chatguard
COPY --from=sidecar-builder /opt/chatguard /opt/chatguard
COPY config/ /usr/share/chatguard/config/
USER 10001:10001
WORKDIR /var/lib/chatguard
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('CHATGUARD_ADMIN_PORT', '9901'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["chatguard"]
CMD ["intercept", "--config", "/etc/chatguard/chatguard.yaml", "--listen-host", "0.0.0.0", "--listen-port", "8080", "--ca-dir", "/etc/chatguard/ca"]

# Runtime (the default target): slim Python, the venv only (no compilers, no sources), an unprivileged user.
FROM python:${PYTHON_VERSION}-slim-bookworm
ENV PATH=/opt/chatguard/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHATGUARD_ADMIN_PORT=9901 \
    CHATGUARD_CACHE_DIR=/var/cache/chatguard
RUN groupadd --system --gid 10001 chatguard \
    && useradd --system --uid 10001 --gid chatguard --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin chatguard \
    && mkdir -p /etc/chatguard /var/lib/chatguard /var/log/chatguard /var/cache/chatguard \
    && chown chatguard:chatguard /var/lib/chatguard /var/log/chatguard /var/cache/chatguard \
    && chmod 0700 /var/cache/chatguard
COPY --from=builder /opt/chatguard /opt/chatguard
COPY config/ /usr/share/chatguard/config/
USER 10001:10001
WORKDIR /var/lib/chatguard
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('CHATGUARD_ADMIN_PORT', '9901'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["chatguard"]
CMD ["serve", "--config", "/etc/chatguard/chatguard.yaml"]
