import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { playgroundPolicy } from '../common/security-headers';
import { GridPagesModule } from '../grid-pages/grid-pages.module';
import { PlaygroundAssets } from './playground-assets';
import { PlaygroundAssetsController, PlaygroundController } from './playground.controller';
import { PlaygroundPages } from './playground-pages';

/**
 * The in-browser playground: its pages, and the files its page loads (the bundles and Pyodide),
 * which are the only answers whose policy lets WebAssembly compile and workers start.
 */
@Module({
  imports: [GridPagesModule],
  controllers: [PlaygroundController, PlaygroundAssetsController],
  providers: [PlaygroundAssets, PlaygroundPages],
})
export class PlaygroundModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(playgroundPolicy).forRoutes(PlaygroundController, PlaygroundAssetsController);
  }
}
