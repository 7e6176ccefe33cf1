"""
display(), HTML and clear_output() for the ipythonblocks.org playground.

What a program displays goes to the playground's runner (ipb_playground), which sets `_publish`
for the length of a run and shows each display in the page as it happens, so animations made of
display + clear_output(wait=True) play frame by frame.
"""

__all__ = ('display', 'HTML', 'clear_output')

# Set by the runner: called with (event, displayed object) for every display and clear.
_publish = None


def _send(event, obj=None):
    if _publish is None:
        # Outside the playground there is no page to draw on: say what would have been shown.
        print(event.get('html', event.get('text', '')) if event['kind'] != 'clear' else '')
        return
    _publish(event, obj)


class HTML(object):
    """HTML to display, as IPython.display.HTML(data)."""

    def __init__(self, data=None, url=None, filename=None, metadata=None):
        if url is not None:
            raise NotImplementedError(
                'HTML(url=...) is not available in the browser playground: it loads nothing '
                'from other sites. Pass the HTML itself: HTML("<b>hello</b>").'
            )
        if filename is not None and data is None:
            with open(filename) as f:
                data = f.read()
        if data is not None and not isinstance(data, str):
            raise TypeError('HTML expects text, not {0!r}'.format(data))
        self.data = data
        self.metadata = metadata

    def _repr_html_(self):
        return self.data

    def __repr__(self):
        return '<IPython.core.display.HTML object>'


def _event_for(obj):
    show_html = getattr(obj, '_repr_html_', None)
    if callable(show_html):
        html = show_html()
        if html is not None:
            return {'kind': 'html', 'html': html}
    # What Jupyter shows for an object without HTML: its repr, as plain text.
    return {'kind': 'text', 'text': repr(obj)}


def display(*objs, **kwargs):
    """Show each object: its HTML when it has some (_repr_html_), else its repr."""
    if kwargs.get('clear'):
        clear_output(wait=True)
    for obj in objs:
        _send(_event_for(obj), obj)


def clear_output(wait=False):
    """Clear what was displayed so far; with wait=True, only once something new is displayed."""
    _send({'kind': 'clear', 'wait': bool(wait)})
