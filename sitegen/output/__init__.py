"""Stage 5, output: everything that writes the build folder. The atomic tree writer and
its lock, the files besides pages (robots, sitemaps, feeds, marker data, host files, the
build marker, the manifest), and password protection."""
