# The only entry points: demo, test, lint, bench. Everything installs into .venv from requirements.lock.
PY := .venv/bin/python
VENV_STAMP := .venv/.installed-$(shell sha1sum requirements.lock | cut -c1-12)

.PHONY: demo serve test lint bench clean

$(VENV_STAMP): requirements.lock
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f .venv/.installed-*
	touch $@

demo: $(VENV_STAMP)
	bash -c 'source scripts/system-packages.sh && need_debian_packages "$${PDF_PACKAGES[@]}"'
	rm -f detoxflow.sqlite3
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py seed
	@echo ""
	@echo "DetoxFlow demo: open http://127.0.0.1:8000 and sign in with a login above (Ctrl-C stops it)."
	bash scripts/demo-serve.sh

serve: $(VENV_STAMP)
	bash scripts/serve.sh

test: $(VENV_STAMP)
	bash scripts/test.sh

lint: $(VENV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy detoxflow tests benchmarks

bench: $(VENV_STAMP)
	bash scripts/bench.sh

clean:
	rm -rf .venv detoxflow.sqlite3 staticfiles test-artifacts benchmarks/results
