"""`python -m fluxpy` runs the same entry point as the `fluxpy` console script."""

from fluxpy.main import main

raise SystemExit(main())
