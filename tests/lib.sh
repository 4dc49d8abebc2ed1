# Shared helpers for the integration tests (sourced; POSIX sh).
