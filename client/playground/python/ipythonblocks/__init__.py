"""
ipythonblocks for the ipythonblocks.org playground: a grid of coloured blocks for learning
loops and conditions. The public names live in ipythonblocks.ipythonblocks, as in the library.
"""

from .ipythonblocks import *  # noqa: F401,F403
