"""A generated library for benchmarks and demos (the `generate_library` command): library.py builds and clears it, vocabulary.py holds its words."""
