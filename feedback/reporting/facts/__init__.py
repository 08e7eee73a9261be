"""Facts: the integer counts every report figure is computed from.

build.py keeps the fact tables current (refresh, rebuild, the incremental update, sealing);
read.py is how the later stages read them (sums by dimension, never the raw rows).
"""
