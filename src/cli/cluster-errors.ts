// How the `tide kubernetes …` commands end on a cluster or registry failure: unreachable → the message
// and exit 3; a kubeconfig, API or image input problem → an input error (exit 1); anything else is a
// bug and propagates.
import { ImageInputError, RegistryError } from '../image/index.js';
import { KubeApiError, KubeconfigError, KubeUnreachableError } from '../kube/errors.js';
import { ExitCode, InputError, type CliIO } from './io.js';

/** Runs `run`, turning cluster and registry failures into `command`'s exit codes. */
export async function withClusterErrors(command: string, io: CliIO, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof KubeUnreachableError || error instanceof RegistryError) {
      io.stderr(`${command}: ${error.message}\n`);
      return ExitCode.unreachable;
    }
    if (error instanceof KubeconfigError || error instanceof KubeApiError || error instanceof ImageInputError) throw new InputError(error.message);
    throw error;
  }
}
