"""PLACEHOLDER runner (replaced by part A): just enough for the playground page's own tests.

It keeps the runner's contract, run(code, host, code_cells=None) -> JSON text, and stands in
tiny fakes of IPython.display and of a BlockGrid until the real module lands.
"""
import ast
import json
import sys
import traceback
import types

FILENAME = '<playground>'


def _fakes(host, state, code_cells):
    def emit(event):
        state['events'].append(event)
        host.event(json.dumps(event))

    class HTML:
        def __init__(self, data):
            self.data = data

        def _repr_html_(self):
            return self.data

    def display(*objs):
        for obj in objs:
            if hasattr(obj, '_repr_html_'):
                emit({'kind': 'html', 'html': obj._repr_html_()})
            else:
                print(repr(obj))
            if isinstance(obj, BlockGrid):
                state['last_grid'] = obj._as_post()

    def clear_output(wait=False):
        emit({'kind': 'clear', 'wait': wait})

    class BlockGrid:
        def __init__(self, width, height, fill=(0, 0, 0), block_size=20, lines_on=True):
            self.width, self.height = width, height
            self.block_size, self.lines_on = block_size, lines_on
            self._rows = [[list(fill) for _ in range(width)] for _ in range(height)]

        def __setitem__(self, index, colour):
            row, col = index
            self._rows[row][col] = list(colour)

        def _as_post(self):
            blocks = [[rgb + [self.block_size] for rgb in row] for row in self._rows]
            data = {'lines_on': self.lines_on, 'width': self.width, 'height': self.height,
                    'blocks': blocks}
            return {'ipb_class': 'BlockGrid', 'grid_data': data}

        def _repr_html_(self):
            cells = ''.join(
                '<tr>' + ''.join(
                    '<td style="width: {0}px; height: {0}px;background-color: rgb({1}, {2}, {3});"></td>'
                    .format(self.block_size, *rgb) for rgb in row) + '</tr>'
                for row in self._rows)
            return '<table class="blockgrid"><tbody>' + cells + '</tbody></table>'

        def show(self):
            display(self)

        def post_to_web(self, code_cells=None, secret=False):
            body = {'python_version': list(sys.version_info), 'ipb_version': '1.10.dev'}
            body.update(self._as_post())
            body.update({'code_cells': code_cells, 'secret': secret})
            answer = host.http_post('/post', json.dumps(body))
            del body['python_version']
            state['posts'].append(body)
            return json.loads(answer.body)['url']

    display_module = types.ModuleType('IPython.display')
    display_module.display, display_module.HTML = display, HTML
    display_module.clear_output = clear_output
    ipython = types.ModuleType('IPython')
    ipython.display = display_module
    ipb = types.ModuleType('ipythonblocks')
    ipb.BlockGrid, ipb.__version__ = BlockGrid, '1.10.dev'
    sys.modules.update({'IPython': ipython, 'IPython.display': display_module,
                        'ipythonblocks': ipb})
    return BlockGrid


class _Out:
    def __init__(self, host, state):
        self.host, self.state = host, state

    def write(self, text):
        self.state['stdout'] += text
        self.host.stdout(text)
        return len(text)

    def flush(self):
        pass


def run(code, host, code_cells=None):
    state = {'stdout': '', 'events': [], 'posts': [], 'last_grid': None}
    grid_class = _fakes(host, state, code_cells)
    namespace = {'__name__': '__main__'}
    result = error = tb = line = None
    saved = sys.stdout
    sys.stdout = _Out(host, state)
    try:
        tree = ast.parse(code, FILENAME)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, FILENAME, 'exec'), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), FILENAME, 'eval'), namespace)
            if value is not None:
                if hasattr(value, '_repr_html_'):
                    result = {'html': value._repr_html_()}
                    if isinstance(value, grid_class):
                        state['last_grid'] = value._as_post()
                else:
                    result = {'text': repr(value)}
    except BaseException as exc:  # the learner's error, whatever it is, is the outcome
        error = {'type': type(exc).__name__, 'message': str(exc)}
        tb = ''.join(traceback.format_exception(exc))
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == FILENAME]
        line = frames[-1].lineno if frames else getattr(exc, 'lineno', None)
    finally:
        sys.stdout = saved
    grids = {name: value._as_post() for name, value in namespace.items()
             if isinstance(value, grid_class)}
    outcome = {'stdout': state['stdout'], 'events': state['events'], 'result': result,
               'posts': state['posts'], 'grids': grids, 'error': error}
    return json.dumps({'outcome': outcome, 'traceback': tb, 'error_line': line,
                       'last_grid': state['last_grid']})
