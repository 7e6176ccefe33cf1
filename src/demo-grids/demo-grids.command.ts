import { Command, CommandRunner } from 'nest-commander';
import { AppConfig } from '../config/app-config';
import { DemoGridsService } from './demo-grids.service';

@Command({
  name: 'demo-grids',
  description:
    'Fill an empty database with a few example grids (with code cells, an ImageGrid, a secret ' +
    'one), so /, /random and /recent show something on a first run. Does nothing to a database ' +
    'that holds grids.',
})
export class DemoGridsCommand extends CommandRunner {
  constructor(
    private readonly demos: DemoGridsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(): Promise<void> {
    const { existing, added } = await this.demos.fillIfEmpty();
    if (existing > 0) {
      console.log(
        `The database already holds ${existing} grids: demo grids go into an empty one only.`,
      );
      return;
    }
    const origin = this.config.publicUrl ?? `http://localhost:${this.config.port}`;
    console.log(`Added ${added.length} demo grids:`);
    for (const { title, path } of added) console.log(`  ${origin}${path}  ${title}`);
  }
}
