"""
The small part of IPython that ipythonblocks and teaching notebooks use, for the
ipythonblocks.org playground: IPython.display's display, HTML and clear_output.
"""
