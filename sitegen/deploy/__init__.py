"""After a build: publishing a build folder as a release (and rolling back), and comparing
two builds."""
