#!/usr/bin/env bash
# coldstart.sh FUNCTION [PAIRS] - cold start of handlers/FUNCTION against
# two builds of the bare bootstrap (internal/barebootstrap/sdk), as
# BENCHMARKS.md ("Cold start per concern") describes:
#   B  the same AWS service clients (and, for the custom senders, the AWS
#      Encryption SDK client and keyring), built and never called;
#   C  the same, with one operation of each client reachable (bare_calls),
#      so that it links the SDK's request path as a function that calls
#      AWS does.
# Each process starts in a clean environment (env -i: no CA-bundle
# variables, which Lambda does not set), configures everything, builds its
# function, asks the refused Runtime API once for an event and exits. Runs
# go A B C A B C … after two warm-ups; prints the median CPU time
# (user+sys) of each and the median of the run-by-run ratios A/B and A/C.
#
# FUNCTION is customauth, tenancy, migration, messages, messages-nosenders,
# authevents, all or all-nosenders. Set TAGS_A/BARE to override the tags
# (BARE=none: the SDK configuration and no service client; esdk: the AWS
# Encryption SDK client and KMS keyring of a custom sender function).
#
# coldstart.sh --print-tags FUNCTION prints the build tags of B and stops.
set -euo pipefail
print_tags=
if [ "${1:-}" = --print-tags ]; then print_tags=1; shift; fi
fn=${1:?usage: coldstart.sh [--print-tags] FUNCTION [PAIRS]}
name=$fn
pairs=${2:-30}
cd "$(dirname "$0")/.."

# What each function builds at start (handlers/internal/compose/*).
tags=""
case $fn in
customauth) bare="dynamodb sesv2 sns kms secretsmanager" ;;
tenancy) bare="dynamodb sesv2 cip" ;;
migration) bare="dynamodb secretsmanager" ;;
authevents) bare="dynamodb cip" ;;
# No DynamoDB client: the Encryption SDK links the package, and so does
# bare_esdk.
messages) bare="kms sesv2 sns cip esdk" ;;
messages-nosenders) fn=messages tags=cognitrig_nosenders bare="none" ;;
all) bare="dynamodb sesv2 sns kms cip secretsmanager esdk" ;;
all-nosenders) fn=all tags=cognitrig_nosenders bare="dynamodb sesv2 sns kms cip secretsmanager" ;;
*) echo "unknown function $fn" >&2; exit 2 ;;
esac
bare=${BARE:-$bare}
tags=${TAGS_A:-$tags}
bareTags="lambda.norpc"
if [ -n "$bare" ]; then
	bareTags="$bareTags bare_select"
	for s in $bare; do [ "$s" = none ] || bareTags="$bareTags bare_$s"; done
fi
if [ -n "$print_tags" ]; then echo "$bareTags"; exit 0; fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
CGO_ENABLED=0 go build -tags "lambda.norpc $tags" -trimpath -o "$dir/A" "./handlers/$fn"
CGO_ENABLED=0 go build -tags "$bareTags" -trimpath -o "$dir/B" ./internal/barebootstrap/sdk
CGO_ENABLED=0 go build -tags "$bareTags bare_calls" -trimpath -o "$dir/C" ./internal/barebootstrap/sdk

key=$(head -c 34 /dev/zero | tr '\0' 'k' | base64)
E=(AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_LAMBDA_RUNTIME_API=127.0.0.1:1
	COGNITRIG_CHALLENGES_TABLE=c "COGNITRIG_MASTER_KEY=$key" COGNITRIG_EMAIL_FROM=no-reply@example.com
	COGNITRIG_AUDIT_TABLE=a COGNITRIG_TENANCY_TABLE=t COGNITRIG_MIGRATION_TABLE=m COGNITRIG_LEGACY_USERS_TABLE=l)
# With its senders on (the KMS key set), as the baselines' Encryption SDK
# keyring (bare_esdk, which reads KEY_ARN) assumes; a cognitrig_nosenders
# build refuses to start with it.
if [ -z "$tags" ] && { [ "$fn" = messages ] || [ "$fn" = all ]; }; then
	key_arn=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
	E+=("COGNITRIG_KMS_KEY_ARN=$key_arn" "KEY_ARN=$key_arn")
fi

# Python's resource module gives the children's CPU time in microseconds
# (/usr/bin/time rounds to 10 ms, a quarter of a run).
python3 - "$dir" "$pairs" "$name" "${bare:-all six}" "${E[@]}" <<'PY'
import os, resource, statistics, subprocess, sys
d, pairs, name, bare, env = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
env = dict(kv.split("=", 1) for kv in env)
bins = {k: os.path.join(d, k) for k in "ABC"}
def cpu(binary):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
# Each binary must get as far as asking the Runtime API for an event; one
# that exits earlier (its configuration refused, a panic) starts nothing,
# so stop rather than time it.
for k, b in bins.items():
    r = subprocess.run([b], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if b"/runtime/invocation/next" not in r.stdout:
        sys.exit(f"{name}: {k} does not start:\n{r.stdout.decode(errors='replace')}")
for _ in range(2):
    for b in bins.values(): cpu(b)
t = {k: [] for k in bins}
for _ in range(pairs):
    for k, b in bins.items(): t[k].append(cpu(b))
def ratio(x, y):
    r = [a / b for a, b in zip(t[x], t[y]) if b > 0]
    q = statistics.quantiles(r, n=4)
    return f"A/{y} median {statistics.median(r):.2f} (quartiles {q[0]:.2f}-{q[2]:.2f})"
print(f"{name}: A {statistics.median(t['A'])*1000:.1f} ms, B {statistics.median(t['B'])*1000:.1f} ms, "
      f"C {statistics.median(t['C'])*1000:.1f} ms; {ratio('A', 'B')}, {ratio('A', 'C')}; "
      f"{pairs} rounds; B and C link {bare}, C calls them")
PY
