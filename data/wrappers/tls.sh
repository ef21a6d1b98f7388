# shellcheck shell=bash
export OPENSSL_CONF=${OPENSSL_CONF:-/dev/crashcart/etc/ssl/openssl.cnf}
if [ -z "${SSL_CERT_FILE:-}" ] && [ ! -e /etc/ssl/certs/ca-certificates.crt ]; then
        export SSL_CERT_FILE=/dev/crashcart/etc/ssl/certs/ca-certificates.crt
fi
