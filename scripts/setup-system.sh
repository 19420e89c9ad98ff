#!/usr/bin/env bash
# Installs the Debian packages tern's tests and benchmarks use (jq for the benchmark, auditd for the live
# audit tests, gcc for compiling a shared object in one, curl, python3 and setcap (libcap2-bin) for the Linux-rules behaviours,
# Java 17 and unzip for the Elasticsearch and OpenSearch test servers that src/testing/cluster/servers.ts fetches from Maven Central,
# openssl for the certificates of the TLS test in front of them,
# Chromium for the report's browser test).
# Safe to run again; a no-op when all are present.
set -euo pipefail
need=()
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v auditctl >/dev/null 2>&1 || need+=(auditd)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v setcap >/dev/null 2>&1 || [ -x /usr/sbin/setcap ] || need+=(libcap2-bin)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup-system: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup-system: missing ${need[*]} (not root or no apt-get); tests that need them will skip and say why" >&2
  fi
fi
