"""Stage 6, audit: the checks a written build folder must pass, judged against its
environment's policy, by every build (on the temporary folder) and by `sitegen check`."""
