// C-ECHO SCP as a server service.
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian, Uids } from '../dicom';
import { Command, CommandField } from '../dimse';
import { IncomingMessage } from '../dimse';
import { ServiceAssociation } from './context';
import { echoScp } from './echo';
import { ScpService } from './scp-service';

export class VerificationScp implements ScpService {
  readonly name = 'verification';
  private readonly table = new Map([[Uids.Verification as string, [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian] as const]]);

  contexts(): ReadonlyMap<string, readonly string[]> {
    return this.table;
  }

  handles(command: Command, abstractSyntax: string): boolean {
    return command.commandField === CommandField.CEchoRq && abstractSyntax === Uids.Verification;
  }

  handle(sa: ServiceAssociation, request: IncomingMessage): Promise<void> {
    return echoScp(sa, request);
  }
}
