"""Privacy: retention of response-level data, clients' access and erasure requests, and the
rotation of the keys that encrypt contact details (docs/privacy.md)."""
