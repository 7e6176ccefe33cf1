import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { pythonLanguage } from '@codemirror/lang-python';
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  LanguageSupport,
  syntaxHighlighting,
} from '@codemirror/language';
import { EditorState, Prec } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';

export interface Editor {
  code(): string;
  focus(): void;
}

/**
 * CodeMirror in place of the page's textarea (which holds the code for readers without
 * script). A lean set of extensions rather than `basicSetup`: no autocompletion, search or lint
 * panels, which a beginner's editor does not need and the page would download. Tab indents
 * only after Escape has not been pressed (CodeMirror's default), so keyboard users can leave.
 */
export function createEditor(
  textarea: HTMLTextAreaElement,
  labelId: string,
  onRun: () => void,
  onFocus: () => void,
): Editor {
  const runKey = { key: 'Mod-Enter', run: () => (onRun(), true), preventDefault: true };
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        Prec.highest(keymap.of([runKey])),
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        // The language alone: python()'s completion sources would bring the autocompletion code.
        new LanguageSupport(pythonLanguage),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        // tabindex: an explicit tab stop, so checkers (and browsers) count the scrolling editor
        // as reachable by keyboard, which a bare contenteditable is not to all of them.
        EditorView.contentAttributes.of({ 'aria-labelledby': labelId, tabindex: '0' }),
        EditorView.domEventHandlers({ focus: () => (onFocus(), false) }),
      ],
    }),
  });
  textarea.hidden = true;
  textarea.after(view.dom);
  return { code: () => view.state.doc.toString(), focus: () => view.focus() };
}
