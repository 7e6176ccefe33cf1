import { fields, limits, post, validateGridPost } from '../../test/support/grid-post';
import { GridPostValidationPipe } from './grid-post.pipe';
import checkGridPostTask from './grid-post.task';

/** What the worker answers for `text` sent as a post body. */
const onWorker = (text: string) => checkGridPostTask({ body: Buffer.from(text), limits });

describe('the big-post task (run on the worker thread)', () => {
  it('answers the post the route’s pipe answers', async () => {
    const body = post({ from_the_future: [1] });
    const inApp = await new GridPostValidationPipe(limits).transform(body, { type: 'body' });
    expect(await onWorker(JSON.stringify(body))).toEqual({ post: inApp });
  });

  it('refuses with the same field errors as the route’s pipe', async () => {
    const bad = post({
      ipb_class: 'Nope',
      code_cells: ['ok', 'a\u0000'],
      grid_data: {
        ...post().grid_data,
        blocks: [
          [
            [0, 0, 0, 1],
            [0, 0, 256, 1],
          ],
        ],
      },
    });
    const errors = await validateGridPost(bad);
    expect(await fields(bad)).toEqual(['ipb_class', 'grid_data.blocks[0][1][2]', 'code_cells[1]']);
    expect(await onWorker(JSON.stringify(bad))).toEqual({ errors });
  });

  it('says why a body is not JSON at all', async () => {
    expect(await onWorker('{"python_version": [3,')).toEqual({
      unreadable: expect.stringMatching(/not valid JSON/) as unknown,
    });
  });
});
