"""Speed and memory benchmarks for novelty: run `python -m benchmarks` (`make bench`)."""
