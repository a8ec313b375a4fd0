"""`sitegen serve`: the dev server, the file watcher, live reload, the in-place edits of a
dataset save, and the local lead inbox."""
