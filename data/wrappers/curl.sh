# shellcheck shell=bash
# curl passes its compiled-in CA file to OpenSSL: SSL_CERT_FILE alone is not read.
[ -z "${SSL_CERT_FILE:-}" ] || export CURL_CA_BUNDLE=${CURL_CA_BUNDLE:-$SSL_CERT_FILE}
