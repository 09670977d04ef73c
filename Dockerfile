# slaflow: the web app and the scheduler in one image (run one or the other), non-root, assets built in.
# Build:  docker build -t slaflow .        Run: see compose.yaml
FROM node:22-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
RUN mkdir -p vendor/bpmn-js vendor/chart.js \
 && cp -r node_modules/bpmn-js/dist/. vendor/bpmn-js/ \
 && cp node_modules/chart.js/dist/chart.umd.min.js vendor/chart.js/

FROM python:3.11-slim-bookworm AS wheels
WORKDIR /src
COPY pyproject.toml setup.cfg ./
COPY engine engine
COPY web web
COPY workflows workflows
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
# Pango for the PDF posters, Thai fonts, the PostgreSQL client for backups
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-thai-tlwg postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /srv/slaflow --uid 10001 slaflow
COPY --from=wheels /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /srv/slaflow
COPY --chown=slaflow:slaflow bpmn bpmn
COPY --chown=slaflow:slaflow forms forms
COPY --chown=slaflow:slaflow workflows/kpi workflows/kpi
COPY --from=assets --chown=slaflow:slaflow /src/vendor /usr/local/lib/python3.11/site-packages/web/static/vendor
USER slaflow
ENV SLAFLOW_INSTANCE_DIR=/srv/slaflow/var \
    SLAFLOW_BPMN_DIR=/srv/slaflow/bpmn \
    SLAFLOW_FORMS_DIR=/srv/slaflow/forms \
    SLAFLOW_KPI_DIR=/srv/slaflow/workflows/kpi \
    SLAFLOW_LOG_FORMAT=json \
    SLAFLOW_HOST=0.0.0.0 \
    SLAFLOW_PORT=5000
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/healthz', timeout=4)"
CMD ["slaflow", "run"]
