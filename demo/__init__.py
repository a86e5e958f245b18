"""The demo organization: the seed that `serve --demo`, `seed-demo`, the tests and the benchmarks
use. Not part of the domain; it writes through the domain's tables and `recompute_aggregates`."""
