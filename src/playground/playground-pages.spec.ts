import { ServiceUnavailableException } from '@nestjs/common';
import type { GridAnswers } from '../grid-pages/grid-answers.service';
import type { PlaygroundAssets } from './playground-assets';
import { PlaygroundPages } from './playground-pages';

const origin = { url: 'http://www.example.org', source: 'configured' } as const;

describe('PlaygroundPages without the built scripts (nest build alone)', () => {
  const assets = { scripts: () => null } as unknown as PlaygroundAssets;
  const answers = {
    codeCells: () => Promise.reject(new Error('never asked')),
  } as unknown as GridAnswers;
  const pages = new PlaygroundPages(answers, assets);

  it('answers 503 saying what to run, for /play and for a grid', async () => {
    expect(() => pages.starter(origin)).toThrow(ServiceUnavailableException);
    expect(() => pages.starter(origin)).toThrow(/run npm run build/);
    await expect(pages.remix('public', 'bizkiL', origin)).rejects.toThrow(/run npm run build/);
  });
});
