"""Pipe networks (数字管线): validation, demo generation, segments and burst impact.

Qt-free. ``checks`` validates the network tables, ``generate`` lays the demo networks over the
real geography, ``graph`` precomputes valve-isolation segments when the catalog builds, and
``impact`` answers "this pipe burst: which valves, who loses supply".
"""
