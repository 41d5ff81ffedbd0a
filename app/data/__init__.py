"""The data the app starts with: the helsefellesskap's default data (seed.py), the demo accounts
and deviations (demo.py), and many synthetic deviations for statistics and benchmarks
(demo_bulk.py). The CLI's `flask seed` and `flask demo` call these."""
