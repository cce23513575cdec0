// Command-line options of `npm run bench` and the sizes each mode uses.

export interface Sizes {
  /** Scenario 1: small CT-like instances over one association. */
  smallInstances: number;
  /** Scenario 1: instances for DCMTK without TCP_NODELAY (each waits for a delayed ACK). */
  noDelayOffInstances: number;
  /** Scenario 2: pixel data bytes of the one large multi-frame instance. */
  largeBytes: number;
  /** Scenario 2: the instance dcmjs-dimse sends (it holds it in memory several times over on both sides). */
  dcmjsLargeBytes: number;
  /** Scenario 3: associations at once, and instances each sends. */
  concurrentAssociations: number;
  concurrentInstancesEach: number;
  /** Scenario 4: studies in the big archive, and in the one dcmqrscp can hold. */
  findStudies: number;
  findStudiesSmall: number;
  /** Scenario 5: associate + echo + release round trips per implementation. */
  echoes: number;
  /** Scenario 6: instances in the study retrieved. */
  retrieveInstances: number;
  /** Scenario 7: instances sent with STOW-RS and read back with WADO-RS. */
  webInstances: number;
  /** Scenario 9: 512 × 512 frames encoded and decoded per run. */
  codecFrames: number;
}

export const FULL_SIZES: Sizes = {
  smallInstances: 1000,
  noDelayOffInstances: 50,
  largeBytes: 1024 * 1024 * 1024,
  dcmjsLargeBytes: 128 * 1024 * 1024,
  concurrentAssociations: 8,
  concurrentInstancesEach: 125,
  findStudies: 10_000,
  findStudiesSmall: 500,
  echoes: 200,
  retrieveInstances: 500,
  webInstances: 1000,
  codecFrames: 32,
};

export const QUICK_SIZES: Sizes = {
  smallInstances: 100,
  noDelayOffInstances: 10,
  largeBytes: 64 * 1024 * 1024,
  dcmjsLargeBytes: 16 * 1024 * 1024,
  concurrentAssociations: 8,
  concurrentInstancesEach: 12,
  findStudies: 1000,
  findStudiesSmall: 100,
  echoes: 30,
  retrieveInstances: 50,
  webInstances: 100,
  codecFrames: 8,
};

export interface BenchOptions {
  quick: boolean;
  scenarios: number[];
  reps: number;
  sizes: Sizes;
  /** Max PDU every receiver announces unless a row says otherwise (DCMTK accepts at most 131072). */
  pdu: number;
  /** Max PDU of the "large PDU" rows of scenario 2. */
  largePdu: number;
  /** The dicomnet CLI bundle to run (built by bench/run.mjs). */
  cli: string;
  /** Where cached data sets live (bench/data). */
  dataDir: string;
  /** Where results are written (bench/results). */
  resultsDir: string;
  /** Limit for any one timed run, in ms. */
  runTimeoutMs: number;
  /**
   * Scenario 8's CPU pinnings, run in turn: 'none' as on any machine; 'split' the flood's process on
   * core 1, the SCP and the bench process (the measured peer) on core 0 (an emulation of a flood
   * from another machine); 'flood-only' the flood's process on core 1 only; 'scp-alone' the SCP on
   * core 0, the flood's process and the bench process on core 1.
   */
  pinFlood: PinFlood[];
}

export type PinFlood = 'none' | 'split' | 'flood-only' | 'scp-alone';
const PIN_FLOOD: PinFlood[] = ['none', 'split', 'flood-only', 'scp-alone'];

export const ALL_SCENARIOS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

export const USAGE = `Usage: npm run bench -- [--quick] [--scenario 1,5] [--reps N] [--pdu BYTES]

  --quick          small sizes and 1 repetition (a few minutes)
  --scenario LIST  only these scenarios (1 store small, 2 store large, 3 concurrent stores,
                   4 C-FIND, 5 C-ECHO, 6 C-MOVE/C-GET, 7 DICOMweb, 8 hostile load,
                   9 pixel data conversion)
  --reps N         repetitions of each measurement (default 3, or 1 with --quick; the echoes and the
                   selective find processes run 200 times, 30 with --quick)
  --pdu BYTES      max PDU every receiver announces (default 131072, DCMTK's largest)
  --large-pdu BYTES  max PDU of scenario 2's large-PDU rows (default 4194304)
  --instances N    override the number of small instances (scenarios 1 and 7)
  --cli PATH       benchmark this dicomnet CLI bundle instead of the freshly built one
  --pin-flood[=WHICH]  scenario 8 runs only this CPU pinning (taskset) instead of both 'none'
                   and 'split': split (the default value) the flood on core 1, the SCP and this
                   process (the measured peer) on core 0; none; flood-only; scp-alone (the SCP on
                   core 0, the flood and this process on core 1)
  --keep-ca-certs  keep NODE_EXTRA_CA_CERTS for the processes started (removed by default:
                   every Node process would parse that CA bundle at start-up)
`;

export class OptionsError extends Error {
  override name = 'OptionsError';
}

function positiveInt(name: string, text: string | undefined, min = 1): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < min) throw new OptionsError(`${name} needs a whole number of at least ${min}, not "${text ?? ''}"`);
  return Number(text);
}

export function parseOptions(argv: readonly string[], defaults: { cli: string; dataDir: string; resultsDir: string }): BenchOptions {
  let quick = false;
  let scenarios = ALL_SCENARIOS;
  let reps: number | undefined;
  let pdu = 131072;
  let largePdu = 4 * 1024 * 1024;
  let instances: number | undefined;
  let cli = defaults.cli;
  let pinFlood: PinFlood[] = ['none', 'split'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (name) {
      case '--quick': quick = true; break;
      case '--scenario': case '--scenarios': {
        const text = value() ?? '';
        const list = text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => positiveInt('--scenario', s));
        const unknown = list.filter((n) => !ALL_SCENARIOS.includes(n));
        if (list.length === 0 || unknown.length) throw new OptionsError(`--scenario takes numbers from 1 to 7 separated by commas, not "${text}"`);
        scenarios = [...new Set(list)].sort((a, b) => a - b);
        break;
      }
      case '--reps': reps = positiveInt('--reps', value()); break;
      case '--pdu': pdu = positiveInt('--pdu', value(), 4096); break;
      case '--large-pdu': largePdu = positiveInt('--large-pdu', value(), 4096); break;
      case '--instances': instances = positiveInt('--instances', value(), 8); break;
      case '--cli': cli = value() ?? ''; if (!cli) throw new OptionsError('--cli needs a path'); break;
      case '--pin-flood':
        if (inline === undefined) pinFlood = ['split'];
        else if ((PIN_FLOOD as string[]).includes(inline)) pinFlood = [inline as PinFlood];
        else throw new OptionsError(`--pin-flood takes no value or one of ${PIN_FLOOD.join(', ')}, not "${inline}"`);
        break;
      case '--keep-ca-certs': break; // read by bench/run.mjs, which starts this process
      case '--help': case '-h': throw new OptionsError('');
      default: throw new OptionsError(`unknown option "${arg}"`);
    }
  }
  if (pdu > 131072) process.stderr.write(`note: --pdu ${pdu} is more than DCMTK accepts (131072); DCMTK receivers keep 131072\n`);
  const sizes = { ...(quick ? QUICK_SIZES : FULL_SIZES) };
  if (instances !== undefined) {
    sizes.smallInstances = instances;
    sizes.webInstances = instances;
    sizes.retrieveInstances = Math.min(sizes.retrieveInstances, instances);
  }
  return {
    quick, scenarios, reps: reps ?? (quick ? 1 : 3), sizes, pdu, largePdu, cli,
    dataDir: defaults.dataDir, resultsDir: defaults.resultsDir,
    runTimeoutMs: quick ? 120_000 : 300_000,
    pinFlood,
  };
}
