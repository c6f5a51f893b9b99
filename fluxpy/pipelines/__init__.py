"""The pipelines, as ordered steps. Each step lives in its own module
elsewhere (fluxpy.source, ...); a pipeline module only sequences them,
reports progress and turns failures into Flux status and events.
"""
