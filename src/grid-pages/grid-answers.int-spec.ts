import { NotFoundException } from '@nestjs/common';
import sharp from 'sharp';
import { clientPostFixtures } from '../../test/support/fixtures';
import { clientBody } from '../../test/support/grid-factory';
import { startTestApp, type TestApp } from '../../test/support/test-app';
import type { Origin } from '../common/public-origin';
import { GridIds } from '../grid-storage/grid-ids';
import { GridsRepository, type NewGrid } from '../grid-storage/grids.repository';
import { GridAnswers } from './grid-answers.service';
import { PAGE_TABLE_MAX_BLOCKS } from './grid-render.task';
import type { ImmutableAnswer } from './immutable-answer';

const ORIGIN: Origin = { url: 'http://www.example.org', source: 'configured' };

/** The bytes a client gets when it asks for no compression. */
const identity = (answer: ImmutableAnswer) => answer.bytes();

function fromPost(body: ReturnType<typeof clientBody>): NewGrid {
  return {
    ipbVersion: String(body.ipb_version),
    pythonVersion: body.python_version as NewGrid['pythonVersion'],
    gridDataJson: JSON.stringify(body.grid_data),
    codeCells: body.code_cells as string[] | null,
    ipbClass: body.ipb_class as string,
    secret: body.secret === true,
  };
}

/** The rendering services against the real database, as the app wires them. */
describe('GridAnswers', () => {
  let t: TestApp;
  let answers: GridAnswers;
  let grids: GridsRepository;
  let ids: GridIds;
  const store = async (body = clientBody()) => {
    const visibility = body.secret ? 'secret' : 'public';
    const id = await grids.insert(visibility, fromPost(body));
    return ids.encode(visibility, id);
  };

  beforeAll(async () => {
    t = await startTestApp();
    answers = t.app.get(GridAnswers);
    grids = t.app.get(GridsRepository);
    ids = t.app.get(GridIds);
  });
  afterAll(() => t.close());

  it('answers a grid’s JSON as stored, once made then kept', async () => {
    const body = clientBody();
    const hashId = await store(body);
    const answer = await answers.json('public', hashId);
    expect(JSON.parse((await identity(answer)).toString('utf8'))).toEqual(body.grid_data);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(await answers.json('public', hashId)).toBe(answer);
  });

  it.each(clientPostFixtures.map((f) => [f.name, f] as const))(
    'draws fixture %s on its page with the library’s exact table markup',
    async (_name, fixture) => {
      const body = JSON.parse(fixture.body) as ReturnType<typeof clientBody>;
      const hashId = await store(body);
      const visibility = fixture.secret ? 'secret' : 'public';
      const page = (await identity(await answers.page(visibility, hashId, ORIGIN))).toString();
      expect(page).toContain(
        fixture.table_html.replaceAll('{TABLE_ID}', `-${visibility}-${hashId}`),
      );
    },
  );

  it('shows a grid past PAGE_TABLE_MAX_BLOCKS as its picture', async () => {
    const hashId = await store(clientBody({}, 1000, Math.ceil((PAGE_TABLE_MAX_BLOCKS + 1) / 1000)));
    const page = (await identity(await answers.page('public', hashId, ORIGIN))).toString();
    expect(page).not.toContain('<table');
    expect(page).toContain(`src="/${hashId}.png"`);
  });

  it('makes one page per origin when the origin comes from requests, with its own ETag', async () => {
    const hashId = await store();
    const a = await answers.page('public', hashId, { url: 'http://a.example', source: 'request' });
    const b = await answers.page('public', hashId, { url: 'http://b.example', source: 'request' });
    expect(a.etag).not.toBe(b.etag);
    expect((await identity(a)).toString()).toContain('http://a.example/');
    expect(
      await answers.page('public', hashId, { url: 'http://a.example', source: 'request' }),
    ).toBe(a);
  });

  it('draws the grid as a PNG', async () => {
    const hashId = await store();
    const png = await identity(await answers.png('public', hashId));
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
  });

  it('answers the whole code as a Python file, and 404 for a grid without code', async () => {
    const hashId = await store(clientBody({ code_cells: ['a = 1', 'print(a)'] }));
    const script = (await identity(await answers.codeScript('public', hashId))).toString();
    expect(script).toContain('# In[1]:\n\na = 1\n');
    expect(script).toContain('# In[2]:\n\nprint(a)\n');
    const none = await store(clientBody({ code_cells: null }));
    await expect(answers.codeScript('public', none)).rejects.toBeInstanceOf(NotFoundException);
  });

  it('answers 404 for an id no grid has, of either visibility, and for one of the other', async () => {
    const hashId = await store();
    await expect(answers.json('secret', hashId)).rejects.toBeInstanceOf(NotFoundException);
    await expect(answers.page('public', 'zzzzzz', ORIGIN)).rejects.toBeInstanceOf(
      NotFoundException,
    );
    await expect(answers.png('public', 'ab')).rejects.toBeInstanceOf(NotFoundException);
  });
});
