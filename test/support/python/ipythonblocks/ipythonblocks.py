"""
The inner module of the stand-in client (see __init__.py): the addresses post_to_web and
from_web read are module globals, looked up when they are called, as in the real library.
"""

import json
import sys

__all__ = ('Block', 'BlockGrid', '__version__')
__version__ = '1.10.dev'

_POST_URL = 'http://www.ipythonblocks.org/post'
_GET_URL_PUBLIC = 'http://www.ipythonblocks.org/get/{0}'
_GET_URL_SECRET = 'http://www.ipythonblocks.org/get/secret/{0}'


class Block(object):
    def __init__(self, red, green, blue, size=20, row=None, col=None):
        self.red, self.green, self.blue = red, green, blue
        self.size = size
        self.row, self.col = row, col

    @property
    def rgb(self):
        return (self.red, self.green, self.blue)


class BlockGrid(object):
    def __init__(self, width, height, fill=(0, 0, 0), block_size=20, lines_on=True):
        self.width, self.height = width, height
        self.lines_on = lines_on
        self._grid = [[Block(*fill, size=block_size, row=r, col=c) for c in range(width)]
                      for r in range(height)]

    def __iter__(self):
        for row in self._grid:
            for block in row:
                yield block

    def post_to_web(self, code_cells=None, secret=False):
        # Cell specs are resolved through IPython's input history, which a plain Python lacks.
        if code_cells is not None:
            raise NameError("name 'get_ipython' is not defined")
        import requests
        body = {
            'python_version': tuple(sys.version_info),
            'ipb_version': __version__,
            'ipb_class': type(self).__name__,
            'code_cells': None,
            'secret': secret,
            'grid_data': {
                'lines_on': self.lines_on,
                'width': self.width,
                'height': self.height,
                'blocks': [[(b.red, b.green, b.blue, b.size) for b in row] for row in self._grid],
            },
        }
        # A string body and no Content-Type header: what the installed client sends.
        response = requests.post(_POST_URL, data=json.dumps(body))
        response.raise_for_status()
        return response.json()['url']

    @classmethod
    def from_web(cls, grid_id, secret=False):
        import requests
        url = (_GET_URL_SECRET if secret else _GET_URL_PUBLIC).format(grid_id)
        response = requests.get(url)
        response.raise_for_status()
        spec = response.json()
        grid = cls(spec['width'], spec['height'], lines_on=spec['lines_on'])
        for r, row in enumerate(spec['blocks']):
            for c, (red, green, blue, size) in enumerate(row):
                block = grid._grid[r][c]
                block.red, block.green, block.blue, block.size = red, green, blue, size
        return grid
