# The two commands a person needs are `make run` and `make test`; the rest
# are the steps they are made of and tools for working on the code.

# Local development defaults; a value already in the environment wins.
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/smkbot?sslmode=disable
export REDIS_URL ?= redis://127.0.0.1:6379/0

FUZZTIME ?= 30s
GO ?= go

.PHONY: run test chaos services db migrate build fmt lint fuzz bench console

## run: start Postgres and Redis if needed, create the database, run the bot
## (the console when TELEGRAM_BOT_TOKEN is unset); serve applies migrations.
run: db
	$(GO) run ./cmd/smkbot serve

## test: vet and every test against real Postgres and Redis (also .ci/run).
test: services
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 25m ./...

## chaos: the fault tests with full-length faults (a minute of Telegram
## errors, a killed bot's claims expiring on their own); `make test` runs
## the same tests with short faults.
chaos: services
	$(GO) test -race -count=1 -timeout 15m -run Chaos -tags chaos -v ./cmd/smkbot/

services:
	scripts/services.sh

db: services
	scripts/db.sh

migrate: db
	$(GO) run ./cmd/smkbot migrate

console: db
	$(GO) run ./cmd/smkbot console

## build: a static binary, as in the container image.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o bin/smkbot ./cmd/smkbot

fmt:
	gofmt -w .

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fuzz: services
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

bench: services
	$(GO) test -run '^$$' -bench . -benchmem ./...

## load: the load tool against the real bot binary (README, «Производительность
## и отказы»); LOAD_FLAGS=-mode webhook or -broadcast 1000, for example.
LOAD_FLAGS ?=
.PHONY: load
load: services
	$(GO) run ./cmd/smkload -mode polling -people 200 -duration 30s $(LOAD_FLAGS)
