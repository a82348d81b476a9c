#!/usr/bin/env bash
# One command to a running FastDSO: virtualenv, install, migrate (SQLite),
# demo data, demo logins (printed), then web server + django-q2 worker on
# http://127.0.0.1:8000. Ctrl-C stops both.
source "$(dirname "$0")/_venv.sh"
ensure_venv requirements.txt
export FASTDSO_DEMO_SIZE="${FASTDSO_DEMO_SIZE:-small}"
python manage.py migrate --noinput
python manage.py compilemessages --ignore=.venv >/dev/null 2>&1 || true
python manage.py seed_demo --size "$FASTDSO_DEMO_SIZE" --if-empty
python manage.py qcluster &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo
echo "FastDSO: http://127.0.0.1:8000/  (inicie sesión con uno de los usuarios de arriba)"
python manage.py runserver --noreload 127.0.0.1:8000
