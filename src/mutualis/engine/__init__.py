"""Pure-Python rules of Mutualis: no Django import, no I/O, no clock.

Data in (frozen dataclasses), decisions out. Services in the Django apps map
ORM rows to these inputs and store the decisions.
"""
