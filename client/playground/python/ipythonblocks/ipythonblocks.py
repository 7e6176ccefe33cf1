"""
ipythonblocks for the ipythonblocks.org playground.

A grid of coloured blocks for learning loops and conditions, written for the browser playground
(Python under Pyodide). It behaves as the ipythonblocks library 1.10.dev does in a notebook:
the same HTML, the same data posted to the site, the same rounding and clamping of colours and
the same errors with the same messages, quirks included (a learner's program must show here
what it shows in Jupyter). Where the browser cannot do what the library does (images, files,
another web site in a frame) the function says so.

Talking to the site goes through the playground's runner (ipb_playground), which sets `_site`.
"""

import copy
import json
import numbers
import os
import sys
import time
import uuid
from collections import namedtuple
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from IPython.display import HTML, clear_output, display

__all__ = (
    'Block',
    'BlockGrid',
    'Pixel',
    'ImageGrid',
    'InvalidColorSpec',
    'ShapeMismatch',
    'show_color',
    'show_color_triple',
    'embed_colorpicker',
    'clear',
    'colors',
    'fui_colors',
    '__version__',
)
__version__ = '1.10.dev'

# Blocks cannot be drawn smaller than this many pixels.
_SMALLEST_BLOCK = 1

# The runner's link to this site (get/post/code_cells), None outside the playground.
_site = None


class InvalidColorSpec(Exception):
    """A colour value that is not a number."""


class ShapeMismatch(Exception):
    """A grid assigned into another that has a different shape."""


class HTTPError(OSError):
    """The site answered a request with an error status (as requests' HTTPError reads)."""


def _unsupported(what, why):
    raise NotImplementedError(
        '{0} is not available in the browser playground: {1}'.format(what, why)
    )


# ---------------------------------------------------------------- HTML
# The markup is the library's, character for character: the site, the tests and the learner's
# eye compare it with what a notebook shows.


def _table(lines_px, rows_html):
    table_id = uuid.uuid4()
    return (
        '<style type="text/css">table.blockgrid {border: none;}'
        ' .blockgrid tr {border: none;} .blockgrid td {padding: 0px;}'
        ' #blocks%s td {border: %spx solid white;}</style>'
        '<table id="blocks%s" class="blockgrid"><tbody>%s</tbody></table>'
        % (table_id, lines_px, table_id, rows_html)
    )


def _cell(index_a, index_b, red, green, blue, size):
    return (
        '<td title="Index: [{0}, {1}]&#10;Color: ({2}, {3}, {4})" '
        'style="width: {5}px; height: {5}px;background-color: rgb({2}, {3}, {4});"></td>'
    ).format(index_a, index_b, red, green, blue, size)


def _join_rows(rows):
    """`rows` is a list of lists of cell HTML."""
    # The library folds the cells together with reduce(), which fails on a grid with no rows
    # or no columns; a learner who makes one sees that error there, so here too.
    if not rows or not all(rows):
        raise TypeError('reduce() of empty iterable with no initial value')
    return ''.join('<tr>' + ''.join(cells) + '</tr>' for cells in rows)


# ---------------------------------------------------------------- colours


def _checked_channel(value):
    """A colour value as the library stores it: a number, clamped to 0-255, rounded."""
    if type(value) is int and 0 <= value <= 255:
        return value
    if not isinstance(value, numbers.Number):
        raise InvalidColorSpec('value must be a number. got {0}.'.format(value))
    # round() rounds halves to even (2.5 -> 2), as the library does.
    return int(round(min(255, max(0, value))))


class _Channel(object):
    """One of a block's red, green and blue: checked and clamped when set."""

    def __set_name__(self, owner, name):
        self._attr = '_' + name

    def __get__(self, block, owner=None):
        if block is None:
            return self
        try:
            return block.__dict__[self._attr]
        except KeyError:
            raise AttributeError(self._attr) from None

    def __set__(self, block, value):
        block.__dict__[self._attr] = _checked_channel(value)


def clear():
    """Clear the output of the program so far."""
    clear_output()


def show_color(red, green, blue):
    """Show one colour as a wide swatch."""
    display(
        HTML(
            '<div style="height: 60px; min-width: 200px; '
            'background-color: rgb({0}, {1}, {2})"></div>'.format(red, green, blue)
        )
    )


def show_color_triple(rgb_triple):
    """Show one colour, given as a (red, green, blue) sequence, as a wide swatch."""
    return show_color(*rgb_triple)


def embed_colorpicker():
    _unsupported(
        'embed_colorpicker()',
        'it shows another web site (www.colorpicker.com) inside the page, and the playground '
        'loads nothing from other sites. Try show_color(red, green, blue) to see a colour.',
    )


# ---------------------------------------------------------------- blocks


class Block(object):
    """
    A coloured square.

    red, green, blue: numbers, clamped to 0-255 and rounded; size: pixels, at least 1.
    row and col say where the block was last looked up in a grid.
    """

    red = _Channel()
    green = _Channel()
    blue = _Channel()

    def __init__(self, red, green, blue, size=20):
        self.red = red
        self.green = green
        self.blue = blue
        self.size = size
        self._row = None
        self._col = None

    @property
    def rgb(self):
        return (self._red, self._green, self._blue)

    @rgb.setter
    def rgb(self, colors):
        if len(colors) != 3:
            raise ValueError('Setting colors requires three values: (red, green, blue).')
        self.red, self.green, self.blue = colors

    @property
    def row(self):
        return self._row

    @property
    def col(self):
        return self._col

    @property
    def size(self):
        return self._size

    @size.setter
    def size(self, size):
        self._size = max(_SMALLEST_BLOCK, size)

    def set_colors(self, red, green, blue):
        """Set all three colours at once."""
        self.red = red
        self.green = green
        self.blue = blue

    def _update(self, other):
        """Take the colour (and, from a block, the size) of what is assigned to this block."""
        if type(other) is tuple and len(other) == 3:
            self.rgb = other
        elif isinstance(other, Block):
            self.rgb = other.rgb
            self.size = other.size
        elif isinstance(other, Sequence) and len(other) == 3:
            self.rgb = other
        else:
            raise ValueError(
                'Value must be a Block or a sequence of 3 integers. Got {0!r}.'.format(other)
            )

    @property
    def _td(self):
        return _cell(self._row, self._col, self._red, self._green, self._blue, self._size)

    def _repr_html_(self):
        # A lone block is drawn without lines, whatever grid it came from.
        return _table(0, '<tr>' + self._td + '</tr>')

    def show(self):
        display(HTML(self._repr_html_()))

    __hash__ = None

    def __eq__(self, other):
        if not isinstance(other, Block):
            return False
        return self.rgb == other.rgb and self.size == other.size

    def _position(self):
        return (self._row, self._col)

    def __str__(self):
        heading = type(self).__name__
        if self._row is not None:
            heading += ' [{0}, {1}]'.format(*self._position())
        color = 'Color: ({0}, {1}, {2})'.format(self._red, self._green, self._blue)
        return heading + os.linesep + color

    def __repr__(self):
        return '{0}({1}, {2}, {3}, size={4})'.format(
            type(self).__name__, self.red, self.green, self.blue, self.size
        )


class Pixel(Block):
    """A block of an ImageGrid: x across, y up (or down, with origin 'upper-left')."""

    @property
    def x(self):
        return self._col

    @property
    def y(self):
        return self._row

    @property
    def _td(self):
        return _cell(self._col, self._row, self._red, self._green, self._blue, self._size)

    def _position(self):
        return (self._col, self._row)


# ---------------------------------------------------------------- indexing

# What a grid index asks for.
_ITEM = 'single item'
_ROW = 'single row'
_ROWS = 'row slice'
_AREA = 'double slice'


def _index_kind(index):
    if isinstance(index, int):
        return _ROW
    if isinstance(index, slice):
        return _ROWS
    if isinstance(index, tuple):
        if len(index) > 2:
            raise IndexError('Invalid index, too many dimensions.')
        if len(index) == 1:
            raise TypeError('Single indices must be integers, not tuple.')
        first, second = index[0], index[1]
        if isinstance(first, slice) and isinstance(second, (int, slice)):
            return _AREA
        if isinstance(second, slice):
            if isinstance(first, (int, slice)):
                return _AREA
        elif isinstance(first, int):
            # Only the first part is checked here, as in the library: grid[0, 1.5] gets as far
            # as the list lookup and fails there with Python's own TypeError.
            return _ITEM
    raise IndexError('Invalid index.')


def _as_slice(part):
    """One integer of an area index as a slice of one row or column."""
    if isinstance(part, int):
        # slice(-1, 0) would be empty: the last one is slice(-1, None).
        return slice(part, None) if part == -1 else slice(part, part + 1)
    return part


# ---------------------------------------------------------------- grids


def _web_error(status, path, body):
    kind = 'Client' if 400 <= status < 500 else 'Server'
    reason = _REASONS.get(status, '')
    message = '{0} {1} Error: {2} for url: {3}'.format(status, kind, reason, path)
    # The site says what was wrong (a 400 names the field); the learner should read it too.
    try:
        detail = json.loads(body).get('message')
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and detail:
        message += ' (' + detail + ')'
    return HTTPError(message)


_REASONS = {
    400: 'Bad Request',
    403: 'Forbidden',
    404: 'Not Found',
    410: 'Gone',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
}


def _need_site(what):
    if _site is None:
        raise RuntimeError(
            '{0} works inside the ipythonblocks.org playground, which talks to the site for it.'.format(what)
        )
    return _site


def _fetch_grid_spec(grid_id, secret):
    site = _need_site('from_web()')
    path = ('/get/secret/' if secret else '/get/') + quote(str(grid_id), safe='/')
    status, body = site.get(path)
    if not 200 <= status < 300:
        raise _web_error(status, path, body)
    return json.loads(body)


class BlockGrid(object):
    """
    A grid of blocks whose colours can be set one by one, by row, column or area.

    BlockGrid(width, height, fill=(0, 0, 0), block_size=20, lines_on=True)
    grid[row, col] is a Block; grid[row], grid[rows], grid[rows, cols] are grids that share
    their blocks with this one, so what is set through them shows here.
    """

    _block_class = Block

    def __init__(self, width, height, fill=(0, 0, 0), block_size=20, lines_on=True):
        self._width = width
        self._height = height
        self._block_size = block_size
        self.lines_on = lines_on
        self._initialize_grid(fill)

    def _initialize_grid(self, fill):
        make = self._block_class
        self._grid = [
            [make(*fill, size=self._block_size) for col in range(self.width)]
            for row in range(self.height)
        ]

    @property
    def width(self):
        return self._width

    @property
    def height(self):
        return self._height

    @property
    def shape(self):
        return (self._width, self._height)

    @property
    def block_size(self):
        return self._block_size

    @block_size.setter
    def block_size(self, size):
        self._block_size = size
        for block in self:
            block.size = size

    @property
    def lines_on(self):
        return self._lines_on

    @lines_on.setter
    def lines_on(self, value):
        # Kept as given (1 stays 1): it is posted as given.
        if value not in (0, 1):
            raise ValueError('lines_on may only be True or False.')
        self._lines_on = value

    def __eq__(self, other):
        if not isinstance(other, BlockGrid):
            return False
        return self._grid == other._grid

    def _view_from_grid(self, rows):
        """A grid of the same class over `rows`, blocks shared with this one."""
        # Made through the class's own constructor, defaults and all, as the library does: a
        # view of an upper-left ImageGrid has the default origin.
        view = self.__class__(
            len(rows[0]), len(rows), block_size=self._block_size, lines_on=self._lines_on
        )
        view._grid = rows
        return view

    def __getitem__(self, index):
        kind = _index_kind(index)
        if kind == _ITEM:
            block = self._grid[index[0]][index[1]]
            # A block knows where it was last looked up from, as given (negative indices too).
            block._row, block._col = index
            return block
        if kind == _ROW:
            return self._view_from_grid([self._grid[index]])
        if kind == _ROWS:
            return self._view_from_grid(self._grid[index])
        return self._view_from_grid(self._area(index))

    def _area(self, index):
        rows, cols = _as_slice(index[0]), _as_slice(index[1])
        return [row[cols] for row in self._grid[rows]]

    def __setitem__(self, index, value):
        target = self[index]
        if isinstance(value, BlockGrid):
            if not isinstance(target, BlockGrid):
                raise TypeError('Cannot assign grid to single block.')
            if target.shape != value.shape:
                raise ShapeMismatch('Both sides of grid assignment must have the same shape.')
            for mine, theirs in zip(target, value):
                mine._update(theirs)
        elif type(value) is tuple or isinstance(value, (Iterable, Block)):
            if isinstance(target, Block):
                target._update(value)
            else:
                for block in target:
                    block._update(value)
        # Anything else (a number, None) is ignored without a word, as in the library.

    def __iter__(self):
        grid = self._grid
        for r in range(self._height):
            row = grid[r]
            for c in range(self._width):
                block = row[c]
                block._row = r
                block._col = c
                yield block

    def _cells(self):
        """The rows of cell HTML, top to bottom."""
        rows = []
        for r, row in enumerate(self._grid):
            cells = []
            for c, block in enumerate(row):
                block._row = r
                block._col = c
                cells.append(block._td)
            rows.append(cells)
        return rows

    def _repr_html_(self):
        return _table(int(self._lines_on), _join_rows(self._cells()))

    def __str__(self):
        return type(self).__name__ + os.linesep + 'Shape: {0}'.format(self.shape)

    def copy(self):
        """A grid like this one whose blocks are its own."""
        return copy.deepcopy(self)

    def _show_html(self):
        shown = HTML(self._repr_html_())
        # Lets the playground know which grid is on screen (its Post button posts it).
        shown._ipb_grid = self
        return shown

    def show(self):
        """Display the grid."""
        display(self._show_html())

    def flash(self, display_time=0.2):
        """Display the grid for `display_time` seconds, to be replaced by the next display."""
        self.show()
        time.sleep(display_time)
        clear_output(wait=True)

    def animate(self, stop_time=0.2):
        """Loop over the blocks as `for block in grid`, showing the grid at every step."""
        for block in self:
            self.show()
            time.sleep(stop_time)
            yield block
            clear_output(wait=True)
        self.show()

    def show_image(self):
        _unsupported(
            'show_image()',
            'it draws the grid with the Pillow image library, which the playground does not '
            'load. Show the grid itself instead: grid.show(), or end the program with grid.',
        )

    def save_image(self, filename):
        _unsupported(
            'save_image()',
            'a program here cannot save files to your computer. Post the grid '
            '(the Post button or grid.post_to_web()): its page has a PNG to download.',
        )

    def to_text(self, filename=None):
        """Write the grid as text (size, then every block's colour), to stdout or a file."""
        lines = [
            '# width height',
            '{0} {1}'.format(self.width, self.height),
            '# block size',
            '{0}'.format(self.block_size),
            '# initial color',
            '0 0 0',
            '# row column red green blue',
        ]
        for block in self:
            lines.append(' '.join(str(v) for v in (block.row, block.col) + block.rgb))
        text = os.linesep.join(lines) + os.linesep
        if filename:
            with open(filename, 'w') as f:
                f.write(text)
        else:
            sys.stdout.write(text)

    def _to_simple_grid(self):
        """Rows of (red, green, blue, size), top row first, whatever the class."""
        return [[(b.red, b.green, b.blue, b.size) for b in row] for row in self._grid]

    def _grid_data(self):
        return {
            'lines_on': self.lines_on,
            'width': self.width,
            'height': self.height,
            'blocks': self._to_simple_grid(),
        }

    def _construct_post_request(self, code_cells, secret):
        site = _need_site('post_to_web()')
        return {
            'python_version': tuple(sys.version_info),
            'ipb_version': __version__,
            'ipb_class': self.__class__.__name__,
            'code_cells': site.code_cells_for(code_cells),
            'secret': secret,
            'grid_data': self._grid_data(),
        }

    def post_to_web(self, code_cells=None, secret=False):
        """
        Post this grid to ipythonblocks.org and return the URL of its page.

        In the playground the program's code is posted as the grid's code cell.
        """
        site = _need_site('post_to_web()')
        body = json.dumps(self._construct_post_request(code_cells, secret))
        status, answer = site.post('/post', body)
        if not 200 <= status < 300:
            raise _web_error(status, '/post', answer)
        return json.loads(answer)['url']

    def _load_simple_grid(self, block_data):
        if len(block_data) != self.height or len(block_data[0]) != self.width:
            raise ShapeMismatch('block_data must have same shape as grid.')
        for row in range(self.height):
            for col in range(self.width):
                value = block_data[row][col]
                self._grid[row][col].rgb = value[:3]
                self._grid[row][col].size = value[3]

    @classmethod
    def from_web(cls, grid_id, secret=False):
        """A new grid from one on ipythonblocks.org, by its id (secret=True for a secret one)."""
        spec = _fetch_grid_spec(grid_id, secret)
        grid = cls(spec['width'], spec['height'], lines_on=spec['lines_on'])
        grid._load_simple_grid(spec['blocks'])
        return grid


class ImageGrid(BlockGrid):
    """
    A grid indexed like an image: img[x, y], x across and y up from the lower-left corner
    (origin='lower-left', the default) or down from the upper-left one (origin='upper-left').

    ImageGrid(width, height, fill=(0, 0, 0), block_size=20, lines_on=True, origin='lower-left')
    Only img[x, y] and areas img[xs, ys] can be indexed; its block size is fixed.
    """

    _block_class = Pixel

    def __init__(
        self, width, height, fill=(0, 0, 0), block_size=20, lines_on=True, origin='lower-left'
    ):
        super(ImageGrid, self).__init__(width, height, fill, block_size, lines_on)
        if origin not in ('lower-left', 'upper-left'):
            raise ValueError("origin keyword must be one of {'lower-left', 'upper-left'}.")
        self._origin = origin

    @property
    def block_size(self):
        return self._block_size

    @property
    def origin(self):
        return self._origin

    def _grid_row(self, y):
        """The row of _grid (top first) that holds image row y."""
        if self._origin == 'upper-left':
            return y
        # Counted from the bottom; a negative y counts from the top.
        return self._height - y - 1 if y >= 0 else -y - 1

    def __getitem__(self, index):
        kind = _index_kind(index)
        if kind == _ITEM:
            x, y = index
            # Out of range is out of range before the origin turns y around.
            self._grid[y][x]
            pixel = self._grid[self._grid_row(y)][x]
            pixel._col, pixel._row = index
            return pixel
        if kind == _AREA:
            return self._view_from_grid(self._area(index))
        raise IndexError('ImageGrid only supports 2D indexing.')

    def _area(self, index):
        xs, ys = _as_slice(index[0]), _as_slice(index[1])
        rows = range(self._height)[ys]
        if self._origin == 'lower-left':
            rows = rows[::-1]
        cols = range(self._width)[xs]
        return [[self[x, y] for x in cols] for y in rows]

    def __iter__(self):
        # Column by column, each from y = 0.
        for x in range(self._width):
            for y in range(self._height):
                yield self[x, y]

    def _cells(self):
        ys = range(self._height)
        if self._origin == 'lower-left':
            ys = ys[::-1]
        return [[self[x, y]._td for x in range(self._width)] for y in ys]

    @classmethod
    def from_web(cls, grid_id, secret=False, origin='lower-left'):
        """A new grid from one on ipythonblocks.org, by its id (secret=True for a secret one)."""
        spec = _fetch_grid_spec(grid_id, secret)
        grid = cls(spec['width'], spec['height'], lines_on=spec['lines_on'], origin=origin)
        grid._load_simple_grid(spec['blocks'])
        return grid


# ---------------------------------------------------------------- colour tables

# A colour from the tables: a tuple with .red, .green and .blue.
Color = namedtuple('Color', ['red', 'green', 'blue'])


class _ColorBunch(dict):
    """Colours by name, as keys (colors['Navy']) and as attributes (colors.Navy)."""

    def __init__(self, table):
        named = {}
        for line in table.split(';'):
            name, red, green, blue = line.split()
            named[name] = Color(int(red), int(green), int(blue))
        super(_ColorBunch, self).__init__(named)
        self.__dict__.update(named)


# The 140 HTML colour names, in the library's (alphabetical) order.
colors = _ColorBunch(
    'AliceBlue 240 248 255; AntiqueWhite 250 235 215; Aqua 0 255 255; Aquamarine 127 255 212;'
    'Azure 240 255 255; Beige 245 245 220; Bisque 255 228 196; Black 0 0 0;'
    'BlanchedAlmond 255 235 205; Blue 0 0 255; BlueViolet 138 43 226; Brown 165 42 42;'
    'BurlyWood 222 184 135; CadetBlue 95 158 160; Chartreuse 127 255 0; Chocolate 210 105 30;'
    'Coral 255 127 80; CornflowerBlue 100 149 237; Cornsilk 255 248 220; Crimson 220 20 60;'
    'Cyan 0 255 255; DarkBlue 0 0 139; DarkCyan 0 139 139; DarkGoldenrod 184 134 11;'
    'DarkGray 169 169 169; DarkGreen 0 100 0; DarkKhaki 189 183 107; DarkMagenta 139 0 139;'
    'DarkOliveGreen 85 107 47; DarkOrange 255 140 0; DarkOrchid 153 50 204; DarkRed 139 0 0;'
    'DarkSalmon 233 150 122; DarkSeaGreen 143 188 143; DarkSlateBlue 72 61 139;'
    'DarkSlateGray 47 79 79; DarkTurquoise 0 206 209; DarkViolet 148 0 211;'
    'DeepPink 255 20 147; DeepSkyBlue 0 191 255; DimGray 105 105 105; DodgerBlue 30 144 255;'
    'FireBrick 178 34 34; FloralWhite 255 250 240; ForestGreen 34 139 34; Fuchsia 255 0 255;'
    'Gainsboro 220 220 220; GhostWhite 248 248 255; Gold 255 215 0; Goldenrod 218 165 32;'
    'Gray 128 128 128; Green 0 128 0; GreenYellow 173 255 47; Honeydew 240 255 240;'
    'HotPink 255 105 180; IndianRed 205 92 92; Indigo 75 0 130; Ivory 255 255 240;'
    'Khaki 240 230 140; Lavender 230 230 250; LavenderBlush 255 240 245; LawnGreen 124 252 0;'
    'LemonChiffon 255 250 205; LightBlue 173 216 230; LightCoral 240 128 128;'
    'LightCyan 224 255 255; LightGoldenrodYellow 250 250 210; LightGray 211 211 211;'
    'LightGreen 144 238 144; LightPink 255 182 193; LightSalmon 255 160 122;'
    'LightSeaGreen 32 178 170; LightSkyBlue 135 206 250; LightSlateGray 119 136 153;'
    'LightSteelBlue 176 196 222; LightYellow 255 255 224; Lime 0 255 0; LimeGreen 50 205 50;'
    'Linen 250 240 230; Magenta 255 0 255; Maroon 128 0 0; MediumAquamarine 102 205 170;'
    'MediumBlue 0 0 205; MediumOrchid 186 85 211; MediumPurple 147 112 219;'
    'MediumSeaGreen 60 179 113; MediumSlateBlue 123 104 238; MediumSpringGreen 0 250 154;'
    'MediumTurquoise 72 209 204; MediumVioletRed 199 21 133; MidnightBlue 25 25 112;'
    'MintCream 245 255 250; MistyRose 255 228 225; Moccasin 255 228 181;'
    'NavajoWhite 255 222 173; Navy 0 0 128; OldLace 253 245 230; Olive 128 128 0;'
    'OliveDrab 107 142 35; Orange 255 165 0; OrangeRed 255 69 0; Orchid 218 112 214;'
    'PaleGoldenrod 238 232 170; PaleGreen 152 251 152; PaleTurquoise 175 238 238;'
    'PaleVioletRed 219 112 147; PapayaWhip 255 239 213; PeachPuff 255 218 185;'
    'Peru 205 133 63; Pink 255 192 203; Plum 221 160 221; PowderBlue 176 224 230;'
    'Purple 128 0 128; Red 255 0 0; RosyBrown 188 143 143; RoyalBlue 65 105 225;'
    'SaddleBrown 139 69 19; Salmon 250 128 114; SandyBrown 244 164 96; SeaGreen 46 139 87;'
    'Seashell 255 245 238; Sienna 160 82 45; Silver 192 192 192; SkyBlue 135 206 235;'
    'SlateBlue 106 90 205; SlateGray 112 128 144; Snow 255 250 250; SpringGreen 0 255 127;'
    'SteelBlue 70 130 180; Tan 210 180 140; Teal 0 128 128; Thistle 216 191 216;'
    'Tomato 255 99 71; Turquoise 64 224 208; Violet 238 130 238; Wheat 245 222 179;'
    'White 255 255 255; WhiteSmoke 245 245 245; Yellow 255 255 0; YellowGreen 154 205 50'
)

# The 20 flat UI colours (flatuicolors.com), in the library's order.
fui_colors = _ColorBunch(
    'Alizarin 231 76 60; Pomegranate 192 57 43; Carrot 230 126 34; Pumpkin 211 84 0;'
    'SunFlower 241 196 15; Orange 243 156 18; Emerald 46 204 113; Nephritis 39 174 96;'
    'Turquoise 26 188 156; GreenSea 22 160 133; PeterRiver 52 152 219; BelizeHole 41 128 185;'
    'Amethyst 155 89 182; Wisteria 142 68 173; WetAsphalt 52 73 94; MidnightBlue 44 62 80;'
    'Concrete 149 165 166; Asbestos 127 140 141; Clouds 236 240 241; Silver 189 195 199'
)
