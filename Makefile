# Two commands for a fresh machine with Python 3.11+:
#   make run    install everything, build the default DB if missing (or upgrade one built by
#               an older version), start the dashboard
#   make test   install everything, run the whole test suite (what .ci/run calls)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := data/ektp.duckdb
PORT ?= 8501
# where `make run` listens: this machine only unless EKTP_ADDRESS says otherwise (README, Settings)
ADDRESS ?= $(or $(EKTP_ADDRESS),127.0.0.1)

.PHONY: run run-public test lint format data assets rebuild publish serve-site bench bench-site lighthouse serve-replicas loadtest loadtest-server clean

# Lighthouse (accessibility audit of every page in the test run), from the npm registry, pinned
LIGHTHOUSE := .lighthouse/node_modules/.bin/lighthouse

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# builds the default DB when missing; upgrades the tables and views of one built by another
# version (its schema fingerprint differs); else does nothing (~0.6 s)
data: $(BIN)/.installed
	$(BIN)/python -m etl build --if-missing

# Streamlit's JS/CSS/fonts compressed once (brotli, gzip) into build/assets/ (~20 s the first
# time, then nothing): asgi.py serves them compressed (ektp/web/assets.py)
assets: $(BIN)/.installed
	$(BIN)/python -m ektp.web.assets

# the reader site of the current release as plain files (site_dir, default build/site): area pages,
# map views, search index, release list; a new release writes only what changed (deploy/publish.py)
publish: $(BIN)/.installed data
	$(BIN)/python -m deploy.publish

# the published site served by nginx alone on http://127.0.0.1:8090/ (no app process)
serve-site: publish
	$(BIN)/python -m deploy.static

rebuild: $(BIN)/.installed
	$(BIN)/python -m etl build

run: $(BIN)/.installed data assets
	$(BIN)/streamlit run asgi.py --server.port $(PORT) --server.address $(ADDRESS)

# the public, read-only instance: no load history, no paths, no tracebacks, no usage stats; the
# build's release published first (once per release), so its pinned pages outlive the next build
run-public: $(BIN)/.installed data assets publish
	EKTP_PUBLIC=1 STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
		$(BIN)/streamlit run asgi.py --server.port $(PORT) --server.address $(ADDRESS)

$(LIGHTHOUSE):
	mkdir -p .lighthouse && cd .lighthouse && npm install --silent --no-audit --no-fund -E lighthouse@12.2.3

# the style is part of the test: lint and format check first, then the whole suite, in two
# processes (pytest-xdist; a file's tests stay in one, so its module fixtures are made once)
test: $(BIN)/.installed $(LIGHTHOUSE) assets
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=15

lint: $(BIN)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(DB) data/synthetic data/.journal static/geo tests/artifacts

# our map step beside a naive page's (server side), the ETL of 10M village-months, then Lighthouse on
# the map page beside the naive page (bench/naive_page.py): the page figures of issue 32
bench: $(BIN)/.installed $(LIGHTHOUSE) data assets
	$(BIN)/python -m bench.bench --etl village
	$(BIN)/python -m bench.lighthouse

# the reader site as files: national publish time and size, area pages' size, nginx alone on
# one core beside the live route, Lighthouse on a regency page (bench/results/site.json)
bench-site: $(BIN)/.installed $(LIGHTHOUSE) data
	$(BIN)/python -m bench.site

# Lighthouse (mobile profile) on the Jambi reader page and the interactive map permalink, as a
# phone reader meets them: performance, LCP, CLS, bytes; JSON reports in bench/results/
lighthouse: $(BIN)/.installed $(LIGHTHOUSE) data assets
	$(BIN)/python -m bench.lighthouse
	$(BIN)/python -m bench.phone

# N replicas of the public instance behind Debian's nginx on 127.0.0.1:$(PORT) (deploy/)
N ?= 2
serve-replicas: $(BIN)/.installed data assets
	$(BIN)/python -m deploy.replicas --replicas $(N) --port $(PORT)

# N concurrent headless Chromium sessions against a local server (loopback only, bounded)
loadtest: $(BIN)/.installed data
	$(BIN)/python -m bench.loadtest --sessions 5 10 25 --rounds 2

# the server alone: N websocket clients speaking Streamlit's protocol (loopback only, bounded);
# a burst of 1/5/25 sessions clicking at once, then 100 sessions pausing 5–30 s between clicks
loadtest-server: $(BIN)/.installed data assets
	$(BIN)/python -m bench.wsload --cpu 30 --sessions 1 5 25 --rounds 2
	$(BIN)/python -m bench.wsload --sessions 100 --rounds 1 --think 5 30
	$(BIN)/python -m bench.wsload --sessions 25 --rounds 2 --replicas 2 --nginx
	$(BIN)/python -m bench.readers
