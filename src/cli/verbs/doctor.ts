/**
 * `sensescape doctor`: which compute backend the engine gets in this Node process, why better rungs
 * were skipped, and the versions of everything that matters for reproducibility.
 */
import { initNodeBackend } from '../../engine/node/backend';
import { SOFTWARE_VERSION } from '../../engine/version';
import type { VerbSpec } from '../command';

export const doctorVerbs: VerbSpec[] = [
  {
    area: 'doctor',
    verb: '',
    summary: 'Report the compute backend, why higher rungs were skipped, and versions.',
    flags: {},
    async run(args, io) {
      const report = await initNodeBackend();
      const result = {
        sensescape: SOFTWARE_VERSION,
        backend: report.backend,
        skipped: report.skipped,
        realm: report.realm,
        tfjs: report.tfjsVersion,
        node: process.versions.node,
        v8: process.versions.v8,
        platform: `${process.platform}-${process.arch}`,
        cpus: (await import('node:os')).cpus().length,
      };
      if (args.json) io.stdout(JSON.stringify(result, null, 2));
      else {
        io.stdout(`sensescape ${result.sensescape} on Node ${result.node} (${result.platform}, ${result.cpus} CPUs)`);
        io.stdout(`compute backend: ${result.backend} (tfjs ${result.tfjs})`);
        for (const s of result.skipped) io.stdout(`  skipped ${s.backend}: ${s.reason}`);
      }
    },
  },
];
