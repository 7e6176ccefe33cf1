import { Injectable } from '@nestjs/common';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import {
  GridModerationService,
  MAX_REASON_CHARS,
  ModerationError,
} from './grid-moderation.service';

const REFERENCE_HELP =
  'a page, /get/ or /secret/ URL, an id (bizkiL), or a secret id as secret/<id> (secret/MiXoi4)';

/** Prints what the service answered, or its failure with its exit status. */
async function report(work: () => Promise<string>): Promise<void> {
  try {
    process.stdout.write(await work());
  } catch (err) {
    if (!(err instanceof ModerationError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = err.exitCode;
  }
}

/** The `grid <name> <url-or-id>` subcommand. */
function OnOneGrid(name: string, description: string) {
  return SubCommand({
    name,
    arguments: '<url-or-id>',
    description,
    argsDescription: { 'url-or-id': REFERENCE_HELP },
  });
}

/** A subcommand that takes the grid as its one argument. Injectable: its subclasses inherit it. */
@Injectable()
abstract class GridSubCommand extends CommandRunner {
  constructor(protected readonly moderation: GridModerationService) {
    super();
  }

  run([reference]: string[], flags: Record<string, string | undefined>): Promise<void> {
    return report(() => this.act(reference, flags));
  }

  protected abstract act(
    reference: string,
    flags: Record<string, string | undefined>,
  ): Promise<string>;
}

@OnOneGrid(
  'hide',
  'Take a grid down: every route of it answers 410 Gone and it leaves /random and /recent ' +
    '(its row is kept). Every web process hears of it within a second.',
)
export class GridHideCommand extends GridSubCommand {
  protected act(reference: string, flags: { reason?: string }): Promise<string> {
    return this.moderation.hide(reference, flags.reason ?? '');
  }

  @Option({
    flags: '-r, --reason <text>',
    // Checked by the service, not by commander: a subcommand's commander exits 1 on its own.
    description: `why, for the operator's records (required; never shown on the site; at most ${MAX_REASON_CHARS} characters)`,
  })
  parseReason(value: string): string {
    return value;
  }
}

@OnOneGrid('unhide', 'Serve a hidden grid again, everywhere.')
export class GridUnhideCommand extends GridSubCommand {
  protected act(reference: string): Promise<string> {
    return this.moderation.unhide(reference);
  }
}

@OnOneGrid(
  'show',
  'What is stored of a grid, when it was posted, and whether it is hidden and why.',
)
export class GridShowCommand extends GridSubCommand {
  protected act(reference: string): Promise<string> {
    return this.moderation.show(reference);
  }
}

@SubCommand({ name: 'hidden', description: 'List the hidden grids with when and why.' })
export class GridHiddenCommand extends CommandRunner {
  constructor(private readonly moderation: GridModerationService) {
    super();
  }

  run(): Promise<void> {
    return report(() => this.moderation.listHidden());
  }
}

/** `grid <hide|unhide|show|hidden>`: the operator's moderation of posted grids. */
@Command({
  name: 'grid',
  description: 'Moderate grids: hide, unhide, show, hidden',
  subCommands: [GridHideCommand, GridUnhideCommand, GridShowCommand, GridHiddenCommand],
})
export class GridCommand extends CommandRunner {
  run(): Promise<void> {
    process.stderr.write('error: say what to do: grid hide|unhide|show|hidden (grid --help)\n');
    process.exitCode = 2;
    return Promise.resolve();
  }
}
