"""The build: the pipeline that runs the stages in order (config, data, model, render,
output, audit), its page workers, the build cache and the page fingerprints it keeps."""
