FROM python:3.12-slim
# WeasyPrint needs Pango; fonts with Cyrillic and Kazakh letters for the PDFs.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt requirements-nodeps.txt ./
RUN pip install --no-cache-dir -r requirements.txt \
 && pip install --no-cache-dir --no-deps -r requirements-nodeps.txt
COPY . .
RUN DJANGO_ENV=production SECRET_KEY=build-only python manage.py collectstatic --noinput
USER nobody
EXPOSE 8000
