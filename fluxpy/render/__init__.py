"""How fluxpy shows things: tables, progress lines, machine output.

Core modules return values; only this package and `fluxpy.cli` write to the
terminal. On a terminal output is rich (colour, live progress); when stdout
is piped it is plain, stable, colour-free text that scripts can parse; with
`-o json|yaml` stdout carries machine output only.
"""
