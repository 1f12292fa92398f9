# Production image: runtime dependencies only (pyproject.toml [project.dependencies], exact
# versions and hashes from uv.lock), no test, lint, browser or embedded-database packages
# (checked by tests/finplatform/test_packaging.py), running as an unprivileged user.

# --- build: resolve nothing, install what uv.lock says; compile catalogues and static files
FROM python:3.12-slim AS build
ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-default-groups --no-cache
# polib compiles locale/*.po -> .mo (no GNU gettext); it stays in this stage
RUN UV_PROJECT_ENVIRONMENT=/opt/i18n uv sync --locked --only-group i18n --no-cache
COPY . .
RUN /opt/i18n/bin/python -c "import pathlib, polib; [polib.pofile(str(p)).save_as_mofile(str(p.with_suffix('.mo'))) for p in pathlib.Path('locale').glob('*/LC_MESSAGES/django.po')]" \
 && DJANGO_ENV=production SECRET_KEY=build-only /opt/venv/bin/python manage.py collectstatic --noinput

# --- runtime
FROM python:3.12-slim
# WeasyPrint needs Pango; fonts with Cyrillic and Kazakh letters for the PDFs.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --home-dir /app finplatform
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --from=build /app /app
USER finplatform
EXPOSE 8000
# Liveness of the web process (no database): /healthz. Workers and beat override this in
# docker-compose.yml with `manage.py readiness` (PostgreSQL, Redis, migrations).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["gunicorn", "finplatform.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4"]
