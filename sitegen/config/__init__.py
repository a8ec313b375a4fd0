"""Stage 1, config: the schema, the layered loading (defaults < base < <env> < SITEGEN_* <
flags, with where each value came from), the YAML reader, and the Policy an environment
resolves to."""
