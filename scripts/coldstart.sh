#!/usr/bin/env bash
# coldstart.sh FUNCTION [PAIRS] - cold start of handlers/FUNCTION against
# the bare bootstrap that links the same AWS service clients
# (internal/barebootstrap/sdk), as BENCHMARKS.md ("Cold start per concern")
# describes: each process starts in a clean environment (env -i: no
# CA-bundle variables, which Lambda does not set), configures everything,
# builds its function, asks the refused Runtime API once for an event and
# exits. Runs are paired A B A B after two warm-ups; prints the median CPU
# time (user+sys) of each and the median of the pair-by-pair ratios.
#
# FUNCTION is customauth, tenancy, migration, messages, messages-nosenders,
# authevents, all or all-nosenders. Set TAGS_A/BARE to override the tags
# (BARE=none: the SDK configuration and no service client; esdk: the AWS
# Encryption SDK client and KMS keyring of a custom sender function).
set -euo pipefail
fn=${1:?usage: coldstart.sh FUNCTION [PAIRS]}
pairs=${2:-30}
cd "$(dirname "$0")/.."

tags=""
case $fn in
customauth) bare="dynamodb sesv2 sns kms secretsmanager" ;;
tenancy) bare="dynamodb sesv2 cip" ;;
migration) bare="dynamodb secretsmanager" ;;
authevents) bare="dynamodb cip" ;;
messages) bare="kms sesv2 sns cip dynamodb esdk" ;;
messages-nosenders) fn=messages tags=cognitrig_nosenders bare="none" ;;
all) bare="dynamodb sesv2 sns kms cip secretsmanager esdk" ;;
all-nosenders) fn=all tags=cognitrig_nosenders bare="dynamodb sesv2 sns kms cip secretsmanager" ;;
*) echo "unknown function $fn" >&2; exit 2 ;;
esac
bare=${BARE:-$bare}
tags=${TAGS_A:-$tags}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
bareTags="lambda.norpc"
if [ -n "$bare" ]; then
	bareTags="$bareTags bare_select"
	for s in $bare; do [ "$s" = none ] || bareTags="$bareTags bare_$s"; done
fi
CGO_ENABLED=0 go build -tags "lambda.norpc $tags" -trimpath -o "$dir/A" "./handlers/$fn"
CGO_ENABLED=0 go build -tags "$bareTags" -trimpath -o "$dir/B" ./internal/barebootstrap/sdk

key=$(head -c 34 /dev/zero | tr '\0' 'k' | base64)
E=(AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_LAMBDA_RUNTIME_API=127.0.0.1:1
	COGNITRIG_CHALLENGES_TABLE=c "COGNITRIG_MASTER_KEY=$key" COGNITRIG_EMAIL_FROM=no-reply@example.com
	COGNITRIG_AUDIT_TABLE=a COGNITRIG_TENANCY_TABLE=t COGNITRIG_MIGRATION_TABLE=m COGNITRIG_LEGACY_USERS_TABLE=l)
# With its senders on (the KMS key set), as the baseline's clients and its
# Encryption SDK keyring (bare_esdk, which reads KEY_ARN) assume; a
# cognitrig_nosenders build refuses to start with it.
if [ -z "$tags" ] && { [ "$fn" = messages ] || [ "$fn" = all ]; }; then
	key_arn=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
	E+=("COGNITRIG_KMS_KEY_ARN=$key_arn" "KEY_ARN=$key_arn")
fi

# Python's resource module gives the children's CPU time in microseconds
# (/usr/bin/time rounds to 10 ms, a quarter of a run).
python3 - "$dir/A" "$dir/B" "$pairs" "$1" "${bare:-all six}" "${E[@]}" <<'PY'
import resource, statistics, subprocess, sys
a_bin, b_bin, pairs, name, bare, env = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6:]
env = dict(kv.split("=", 1) for kv in env)
def cpu(binary):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
# A function that refuses its configuration exits at once: that is no cold
# start, so stop rather than time it.
for label, binary in (("A", a_bin), ("B (baseline)", b_bin)):
    r = subprocess.run([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if b"configuration" in r.stderr:
        sys.exit(f"{name}: {label} does not start:\n{r.stderr.decode(errors='replace')}")
for _ in range(2):
    cpu(a_bin); cpu(b_bin)
a, b = [], []
for _ in range(pairs):
    a.append(cpu(a_bin)); b.append(cpu(b_bin))
ratios = [x / y for x, y in zip(a, b) if y > 0]
print(f"{name}: A {statistics.median(a)*1000:.1f} ms, B {statistics.median(b)*1000:.1f} ms, "
      f"A/B median {statistics.median(ratios):.2f} (quartiles {statistics.quantiles(ratios, n=4)[0]:.2f}-{statistics.quantiles(ratios, n=4)[2]:.2f}; "
      f"{len(ratios)} pairs; B links {bare})")
PY
