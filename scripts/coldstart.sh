#!/usr/bin/env bash
# coldstart.sh FUNCTION [ROUNDS] - cold start of handlers/FUNCTION against
# two builds of the bare bootstrap (internal/barebootstrap/sdk), as
# BENCHMARKS.md ("Two baselines") describes:
#   B  links the same AWS service clients (and, for the custom senders,
#      the AWS Encryption SDK: bare_esdk) and makes at start the ones the
#      function makes in this environment (BARE_MAKE); calls none;
#   C  the same, with one operation of each client reachable (bare_calls),
#      so that it links the SDK's request path as a function that calls
#      AWS does.
# Each process starts in a clean environment (env -i: no CA-bundle
# variables, which Lambda does not set), configures everything, builds its
# function, asks the refused Runtime API once for an event and exits. Each
# round runs A, B and C once, cycling through the six orders, after two
# warm-ups; prints the median CPU time (user+sys) of each and
# the median of the round-by-round ratios A/B and A/C.
#
# FUNCTION is one of --list. Set TAGS_A, BARE and BARE_MAKE to override
# the tags of A, the services B and C link (BARE=none: the SDK
# configuration and no service client; esdk, which needs kms: the
# Encryption SDK client and KMS keyring of a custom sender function) and
# those they make.
#
# coldstart.sh --list prints the functions; --print-tags FUNCTION the
# build tags of A, B and C (a line each); --print-make FUNCTION what B and
# C make; --print-env FUNCTION the environment of every run (a line each);
# --build DIR FUNCTION builds A, B and C into DIR as a run does.
# TestBaselinesStart and compose's TestColdStartMakeLists use them.
set -euo pipefail
mode=run
out=
case ${1:-} in
--list) echo customauth tenancy migration authevents messages messages-nosenders all all-nosenders; exit 0 ;;
--print-tags | --print-make | --print-env) mode=${1#--}; shift ;;
--build) mode=build out=${2:?usage: coldstart.sh --build DIR FUNCTION}; out=$(cd "$out" && pwd); shift 2 ;;
esac
fn=${1:?usage: coldstart.sh [--list | --print-tags | --print-make | --print-env | --build DIR] FUNCTION [ROUNDS]}
name=$fn
rounds=${2:-30}
if ! [[ $rounds =~ ^[0-9]+$ ]] || [ "$rounds" -lt 2 ]; then echo "ROUNDS must be a number, 2 or more" >&2; exit 2; fi
cd "$(dirname "$0")/.."

# link: what handlers/FUNCTION links (go list -deps); make: the clients it
# makes at start in the environment below (the rest stay unmade until a
# setting uses them). Both are checked by tests.
tags=""
case $fn in
customauth) link="dynamodb sesv2 sns kms secretsmanager" make="dynamodb sesv2" ;;
tenancy) link="dynamodb sesv2 cip" make="dynamodb cip" ;;
migration) link="dynamodb secretsmanager" make="dynamodb" ;;
authevents) link="dynamodb cip" make="dynamodb" ;;
# DynamoDB is linked through the Encryption SDK, in the function as in
# bare_esdk; neither makes a client of it.
messages) link="kms sesv2 sns cip esdk" make="kms sesv2 sns cip esdk" ;;
messages-nosenders) fn=messages tags=cognitrig_nosenders link="none" make="" ;;
all) link="dynamodb sesv2 sns kms cip secretsmanager esdk" make="dynamodb sesv2 sns kms cip esdk" ;;
all-nosenders) fn=all tags=cognitrig_nosenders link="dynamodb sesv2 sns kms cip secretsmanager" make="dynamodb sesv2 cip" ;;
*) echo "unknown function $fn (see --list)" >&2; exit 2 ;;
esac
link=${BARE:-$link}
make=${BARE_MAKE-$make}
tags=${TAGS_A:-$tags}
tags=${tags// /,}
for s in $link $make; do
	case $s in none | dynamodb | sesv2 | sns | kms | cip | secretsmanager | esdk) ;;
	*) echo "unknown service $s in BARE or BARE_MAKE (want none, dynamodb, sesv2, sns, kms, cip, secretsmanager or esdk)" >&2; exit 2 ;;
	esac
done
# The tags of A, B and C: printed by --print-tags and used by the builds.
aTags="lambda.norpc${tags:+,$tags}"
bTags="lambda.norpc,bare_select"
for s in $link; do [ "$s" = none ] || bTags="$bTags,bare_$s"; done
cTags="$bTags,bare_calls"

key=$(head -c 34 /dev/zero | tr '\0' 'k' | base64)
E=(AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_LAMBDA_RUNTIME_API=127.0.0.1:1
	COGNITRIG_CHALLENGES_TABLE=c "COGNITRIG_MASTER_KEY=$key" COGNITRIG_EMAIL_FROM=no-reply@example.com
	COGNITRIG_AUDIT_TABLE=a COGNITRIG_TENANCY_TABLE=t COGNITRIG_MIGRATION_TABLE=m COGNITRIG_LEGACY_USERS_TABLE=l
	"BARE_MAKE=$make")
# With its senders on (the KMS key set), as the baselines' Encryption SDK
# keyring (bare_esdk, which reads KEY_ARN) assumes; a cognitrig_nosenders
# build refuses to start with it.
if [ -z "$tags" ] && { [ "$fn" = messages ] || [ "$fn" = all ]; }; then
	key_arn=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
	E+=("COGNITRIG_KMS_KEY_ARN=$key_arn" "KEY_ARN=$key_arn")
fi

case $mode in
print-tags) printf '%s\n%s\n%s\n' "$aTags" "$bTags" "$cTags"; exit 0 ;;
print-make) echo "$make"; exit 0 ;;
print-env) printf '%s\n' "${E[@]}"; exit 0 ;;
esac

# The builds that are timed; --build makes them for TestBaselinesStart.
build() {
	CGO_ENABLED=0 go build -tags "$aTags" -trimpath -o "$1/A" "./handlers/$fn"
	CGO_ENABLED=0 go build -tags "$bTags" -trimpath -o "$1/B" ./internal/barebootstrap/sdk
	CGO_ENABLED=0 go build -tags "$cTags" -trimpath -o "$1/C" ./internal/barebootstrap/sdk
}
if [ "$mode" = build ]; then build "$out"; exit 0; fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
build "$dir"

# Python's resource module gives the children's CPU time in microseconds
# (/usr/bin/time rounds to 10 ms, a quarter of a run).
python3 - "$dir" "$rounds" "$name" "$link" "$make" "${E[@]}" <<'PY'
import itertools, os, resource, statistics, subprocess, sys
d, rounds, name, link, make, env = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
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
# Cycle through the six orders, so that each binary runs first, second
# and last, and before and after each other, equally often.
orders = list(itertools.permutations(bins))
for i in range(rounds):
    for k in orders[i % len(orders)]: t[k].append(cpu(bins[k]))
def ratio(x, y):
    r = [a / b for a, b in zip(t[x], t[y]) if b > 0]
    q = statistics.quantiles(r, n=4)
    return f"A/{y} median {statistics.median(r):.2f} (quartiles {q[0]:.2f}-{q[2]:.2f})"
print(f"{name}: A {statistics.median(t['A'])*1000:.1f} ms, B {statistics.median(t['B'])*1000:.1f} ms, "
      f"C {statistics.median(t['C'])*1000:.1f} ms; {ratio('A', 'B')}, {ratio('A', 'C')}; "
      f"{rounds} rounds; B and C link {link}, make {make or 'none'}, C calls them")
PY
