# shellcheck shell=bash
# wget (GnuTLS) has no variable for a CA file: an option, which the user's own overrides.
[ -z "${SSL_CERT_FILE:-}" ] || set -- --ca-certificate="$SSL_CERT_FILE" "$@"
# No ~/.wget-hsts written into the container.
set -- --no-hsts "$@"
