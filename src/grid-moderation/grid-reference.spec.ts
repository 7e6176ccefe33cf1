import { GridReferenceError, parseGridReference } from './grid-reference';

describe('parseGridReference', () => {
  it.each([
    ['http://www.ipythonblocks.org/bizkiL', 'public', 'bizkiL'],
    ['https://example.org:8080/secret/MiXoi4', 'secret', 'MiXoi4'],
    ['http://www.ipythonblocks.org/get/bizkiL', 'public', 'bizkiL'],
    ['http://www.ipythonblocks.org/get/secret/MiXoi4', 'secret', 'MiXoi4'],
    ['/get/secret/MiXoi4', 'secret', 'MiXoi4'],
    ['http://localhost:3000/bizkiL.png', 'public', 'bizkiL'],
    ['/secret/MiXoi4.py', 'secret', 'MiXoi4'],
    ['/bizkiL/embed', 'public', 'bizkiL'],
    ['/oembed?url=http%3A%2F%2Fwww.ipythonblocks.org%2Fsecret%2FMiXoi4', 'secret', 'MiXoi4'],
    ['http://www.ipythonblocks.org/bizkiL?x=1#top', 'public', 'bizkiL'],
    ['bizkiL', 'public', 'bizkiL'],
    ['  secret/MiXoi4 ', 'secret', 'MiXoi4'],
  ])('reads %s as the %s grid %s', (input, visibility, hashId) => {
    expect(parseGridReference(input)).toEqual({ visibility, hashId });
  });

  it.each([
    '',
    '/',
    'http://www.ipythonblocks.org/',
    'http://www.ipythonblocks.org/about/us',
    '/secret/',
    'biz kiL',
    'bizkiL!',
    'ftp://example.org/bizkiL',
    'a'.repeat(33),
    '/get/',
    'http://[bad',
  ])('refuses %j, saying what would do', (input) => {
    expect(() => parseGridReference(input)).toThrow(GridReferenceError);
    expect(() => parseGridReference(input)).toThrow(/secret\/MiXoi4/);
  });
});
