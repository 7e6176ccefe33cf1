/**
 * What a program displays is HTML written by whoever wrote the program: on a remix page,
 * somebody else. It is parsed inert (a template's content runs no script and loads nothing),
 * then only an allowlist of elements and attributes is kept: tables, text and boxes with their
 * inline styles and <style> sheets, which is everything ipythonblocks draws. Scripts, event
 * handlers, frames, forms, links and URLs other than data: images are dropped. The page's CSP
 * (no inline script) is the second wall, and the shadow root each display goes into keeps its
 * styles off the page.
 */

const words = (list: string) => new Set(list.split(' '));

/** Elements kept as they are (with their allowed attributes). */
const KEPT = words(
  'b br caption code col colgroup dd del div dl dt em h1 h2 h3 h4 h5 h6 hr i img ins ' +
    'kbd li mark ol p pre q s samp small span strong style sub sup table tbody td tfoot ' +
    'th thead tr u ul var blockquote figure figcaption',
);

/** Elements dropped with everything inside them; any other unknown element keeps its content. */
const DROPPED = words(
  'script iframe frame frameset object embed applet link meta base form input button ' +
    'select textarea option svg math noscript template audio video source track portal ' +
    'slot dialog title head',
);

const ATTRIBUTES = words(
  'style class id title colspan rowspan align valign width height alt type border ' +
    'cellpadding cellspacing bgcolor lang dir',
);

/** A data: URL of a raster image: shown, nothing fetched. */
const SAFE_IMAGE = /^data:image\/(png|gif|jpeg|webp);base64,[a-z0-9+/=\s]*$/i;

function clean(parent: ParentNode): void {
  for (const node of Array.from(parent.childNodes)) {
    if (node.nodeType === Node.TEXT_NODE) continue;
    if (node.nodeType !== Node.ELEMENT_NODE) {
      node.remove();
      continue;
    }
    const element = node as Element;
    const name = element.localName;
    if (DROPPED.has(name) || element.namespaceURI !== 'http://www.w3.org/1999/xhtml') {
      element.remove();
      continue;
    }
    if (!KEPT.has(name)) {
      clean(element);
      element.replaceWith(...Array.from(element.childNodes));
      continue;
    }
    for (const attribute of Array.from(element.attributes)) {
      const keep =
        ATTRIBUTES.has(attribute.name) ||
        (name === 'img' && attribute.name === 'src' && SAFE_IMAGE.test(attribute.value));
      if (!keep) element.removeAttribute(attribute.name);
    }
    // A sheet holds text only (the parser reads it raw): nothing inside to walk.
    if (name !== 'style') clean(element);
  }
}

/** The displayed HTML as a fragment that can run nothing, load nothing from elsewhere. */
export function sanitizedFragment(html: string): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = html;
  clean(template.content);
  return template.content;
}
