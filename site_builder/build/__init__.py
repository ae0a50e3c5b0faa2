"""Stage 6, build: the pipeline that runs the stages, its plan of output units, the cache and the worker processes."""
