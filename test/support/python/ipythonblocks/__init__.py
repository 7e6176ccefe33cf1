"""
A stand-in for the ipythonblocks client, laid out as the real package is: this file re-exports the
inner module's public names (its __all__), so the inner module's _POST_URL / _GET_URL_* constants
are NOT attributes of this package, and setting them here changes nothing the client reads.
Written for the tests (the real library cannot be pip-installed here); it posts and reads the way
the real BlockGrid does.
"""

from .ipythonblocks import *
