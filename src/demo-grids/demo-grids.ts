import type { Block, GridData, IpbClass } from '../grid-storage/grid-data';

/** One example grid as a client would post it, with the cells that draw it. */
export interface DemoGrid {
  title: string;
  ipbClass: IpbClass;
  secret: boolean;
  gridData: GridData;
  codeCells: string[] | null;
}

type Rgb = [number, number, number];

function draw(width: number, height: number, size: number, colour: (r: number, c: number) => Rgb) {
  const blocks: Block[][] = [];
  for (let r = 0; r < height; r++) {
    blocks.push(Array.from({ length: width }, (_, c): Block => [...colour(r, c), size]));
  }
  return blocks;
}

const TEAL: Rgb = [0, 128, 128];
const CREAM: Rgb = [255, 250, 225];

const checkerboard: DemoGrid = {
  title: 'a checkerboard, from two loops and a condition',
  ipbClass: 'BlockGrid',
  secret: false,
  gridData: {
    lines_on: true,
    width: 8,
    height: 8,
    blocks: draw(8, 8, 20, (r, c) => ((r + c) % 2 === 0 ? TEAL : CREAM)),
  },
  codeCells: [
    'from ipythonblocks import BlockGrid',
    'grid = BlockGrid(8, 8, fill=(255, 250, 225))\n' +
      'for block in grid:\n' +
      '    if (block.row + block.col) % 2 == 0:\n' +
      '        block.set_colors(0, 128, 128)\n' +
      'grid',
  ],
};

const gradient: DemoGrid = {
  title: 'a gradient: colour from position',
  ipbClass: 'BlockGrid',
  secret: false,
  gridData: {
    lines_on: false,
    width: 24,
    height: 12,
    blocks: draw(24, 12, 16, (r, c) => [
      Math.round((c * 255) / 23),
      Math.round((r * 255) / 11),
      160,
    ]),
  },
  codeCells: [
    'from ipythonblocks import BlockGrid',
    'grid = BlockGrid(24, 12, block_size=16, lines_on=False)\n' +
      'for block in grid:\n' +
      '    block.red = round(block.col * 255 / 23)\n' +
      '    block.green = round(block.row * 255 / 11)\n' +
      '    block.blue = 160\n' +
      'grid',
  ],
};

const diagonal: DemoGrid = {
  title: 'a diagonal, no code cells posted',
  ipbClass: 'BlockGrid',
  secret: false,
  gridData: {
    lines_on: true,
    width: 10,
    height: 10,
    blocks: draw(10, 10, 20, (r, c) => (r === c || r + c === 9 ? [200, 30, 60] : [240, 240, 240])),
  },
  codeCells: null,
};

// An ImageGrid posts its rows as they are stored: row 0 is the top row of the picture.
const sunset: DemoGrid = {
  title: 'an ImageGrid: a sunset over the sea',
  ipbClass: 'ImageGrid',
  secret: false,
  gridData: {
    lines_on: false,
    width: 16,
    height: 12,
    blocks: draw(16, 12, 12, (r, c) => {
      const sun = (c - 8) ** 2 + (r - 6) ** 2 <= 9;
      if (r >= 7) return [20, 60 + r * 6, 120 + r * 8];
      return sun ? [255, 200, 40] : [250, 120 + r * 12, 80];
    }),
  },
  codeCells: [
    'from ipythonblocks import ImageGrid',
    'grid = ImageGrid(16, 12, block_size=12, lines_on=False)\n' +
      'for block in grid:\n' +
      '    row = 11 - block.y\n' +
      '    if row >= 7:\n' +
      '        block.set_colors(20, 60 + row * 6, 120 + row * 8)\n' +
      '    elif (block.x - 8) ** 2 + (row - 6) ** 2 <= 9:\n' +
      '        block.set_colors(255, 200, 40)\n' +
      '    else:\n' +
      '        block.set_colors(250, 120 + row * 12, 80)\n' +
      'grid',
  ],
};

const secretHeart: DemoGrid = {
  title: 'a secret grid: unlisted, never shown by /random or /recent',
  ipbClass: 'BlockGrid',
  secret: true,
  gridData: {
    lines_on: true,
    width: 7,
    height: 6,
    blocks: draw(7, 6, 24, (r, c) => {
      const heart = ['.XX.XX.', 'XXXXXXX', 'XXXXXXX', '.XXXXX.', '..XXX..', '...X...'];
      return heart[r][c] === 'X' ? [220, 20, 60] : [255, 255, 255];
    }),
  },
  codeCells: [
    'from ipythonblocks import BlockGrid',
    "heart = ['.XX.XX.', 'XXXXXXX', 'XXXXXXX', '.XXXXX.', '..XXX..', '...X...']\n" +
      'grid = BlockGrid(7, 6, block_size=24, fill=(255, 255, 255))\n' +
      'for block in grid:\n' +
      "    if heart[block.row][block.col] == 'X':\n" +
      '        block.set_colors(220, 20, 60)\n' +
      'grid.post_to_web(secret=True)',
  ],
};

/** What `demo-grids` stores, in order: a few of each kind a first run should show. */
export const DEMO_GRIDS: readonly DemoGrid[] = [
  checkerboard,
  gradient,
  diagonal,
  sunset,
  secretHeart,
];
