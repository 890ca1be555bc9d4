FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --create-home --uid 10001 referrals
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY referrals ./referrals
COPY alembic ./alembic
COPY seed_data ./seed_data
RUN pip install -e '.[redis]' && mkdir -p /data && chown referrals /data
USER referrals
ENV REFERRALS_DATABASE_URL=sqlite:////data/referrals.db
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"
CMD ["referrals", "serve", "--host", "0.0.0.0", "--port", "8000", "--seed"]
