// Passwords and tokens of nodes, in VS Code's SecretStorage (settings hold none).
import vscode = require('vscode');

const key = (nodeName: string) => `dicomNetwork.node.${nodeName}`;

export class NodeSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(nodeName: string): Promise<string | undefined> {
    return (await this.storage.get(key(nodeName))) ?? undefined;
  }

  async set(nodeName: string, secret: string | undefined): Promise<void> {
    if (secret === undefined || secret === '') await this.storage.delete(key(nodeName));
    else await this.storage.store(key(nodeName), secret);
  }

  async rename(from: string, to: string): Promise<void> {
    const secret = await this.get(from);
    if (secret !== undefined) {
      await this.storage.store(key(to), secret);
      await this.storage.delete(key(from));
    }
  }

  async delete(nodeName: string): Promise<void> {
    await this.storage.delete(key(nodeName));
  }
}
