// The CLI from source in its own process (`node --import tsx test/cli-entry.ts …`), for tests that
// need real signals and stdin; the built bin/phenobook.js is what e2e/ drives.
import { main } from '../cli/phenobook';

process.exitCode = await main(process.argv.slice(2));
